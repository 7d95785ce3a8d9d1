using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// Every change in the portal redraws its view from the server (docs/admin.md). What the admin typed into another row, or
/// into the view's own form, and has not saved yet must survive that redraw; a reset gives the row's typing up.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class AdminUnsavedEditsTests(BrowserFixture fixture)
{
    private IDirectoryStore Directory => fixture.Host.Services.GetRequiredService<IDirectoryStore>();

    private IPolicyStore Policy => fixture.Host.Services.GetRequiredService<IPolicyStore>();

    [Fact]
    public async Task A_name_typed_in_one_row_survives_the_save_of_another_and_is_saved_with_its_own()
    {
        var admin = await AdminPortalSession.NewAdminAsync(fixture);
        var other = await fixture.NewExtensionAsync();
        await using var context = await AdminPortalSession.NewContextAsync(fixture);
        var portal = await OpenPortalAsync(context, admin);
        await SavedAndRedrawnAsync(portal, () => portal.ClickAsync("#tabs button[data-view=extensions]"));
        var adminName = portal.Locator($"#extensions tr[data-account='{admin.Account}'] input[aria-label=Name]");
        var otherRow = portal.Locator($"#extensions tr[data-account='{other.Account}']");
        var before = (await Directory.FindExtensionAsync(BrowserFixture.Domain, admin.Number))!.DisplayName;

        await adminName.FillAsync("Typed, not saved");
        await otherRow.Locator("input[aria-label=Name]").FillAsync("Saved by the other row");
        await SavedAndRedrawnAsync(portal, () => otherRow.Locator("button.primary").ClickAsync());

        Assert.Equal("Saved by the other row", (await Directory.FindExtensionAsync(BrowserFixture.Domain, other.Number))!.DisplayName);
        Assert.Equal(before, (await Directory.FindExtensionAsync(BrowserFixture.Domain, admin.Number))!.DisplayName);
        await Expect(adminName).ToHaveValueAsync("Typed, not saved");
        await Expect(otherRow.Locator("input[aria-label=Name]")).ToHaveValueAsync("Saved by the other row");

        await SavedAndRedrawnAsync(portal, () => portal.Locator($"#extensions tr[data-account='{admin.Account}'] button.primary").ClickAsync());
        Assert.Equal("Typed, not saved", (await Directory.FindExtensionAsync(BrowserFixture.Domain, admin.Number))!.DisplayName);
        await Expect(adminName).ToHaveValueAsync("Typed, not saved");
    }

    [Fact]
    public async Task A_password_saved_is_not_drawn_again_and_the_policy_views_typing_survives_a_rows_save()
    {
        var admin = await AdminPortalSession.NewAdminAsync(fixture);
        await using var context = await AdminPortalSession.NewContextAsync(fixture);
        var portal = await OpenPortalAsync(context, admin);

        // A saved password leaves its field empty: it was sent, and is not a pending edit.
        await SavedAndRedrawnAsync(portal, () => portal.ClickAsync("#tabs button[data-view=extensions]"));
        var row = portal.Locator($"#extensions tr[data-account='{admin.Account}']");
        await row.Locator("input[type=password]").First.FillAsync("a-new-web-password");
        await SavedAndRedrawnAsync(portal, () => row.Locator("button.primary").ClickAsync());
        await Expect(row.Locator("input[type=password]").First).ToHaveValueAsync("");

        // The domain's limits typed but not saved (they would hold for every test of the domain), then a permission row
        // saved: its two changes each redraw the view, and the typed limits stay.
        await SavedAndRedrawnAsync(portal, () => portal.ClickAsync("#tabs button[data-view=policy]"));
        var domainConcurrent = portal.Locator("#domain-limits input[name=concurrent]");
        await domainConcurrent.FillAsync("7");
        var permission = portal.Locator($"#permissions tr[data-account='{admin.Account}']");
        await permission.Locator("input[name=national]").CheckAsync();
        await permission.Locator("input[name=perMinute]").FillAsync("5");
        await SavedAndRedrawnAsync(portal, () => permission.Locator("button.primary").ClickAsync(), redraws: 2);
        Assert.Equal(5, (await Policy.GetLimitsAsync(BrowserFixture.Domain, admin.Number))!.PerMinute);
        await Expect(domainConcurrent).ToHaveValueAsync("7");
        await Expect(permission.Locator("input[name=perMinute]")).ToHaveValueAsync("5");

        // A reset gives the row's typing up: what the reset left (the domain's default) is drawn, not the 9 typed before.
        await permission.Locator("input[name=perMinute]").FillAsync("9");
        await SavedAndRedrawnAsync(portal, () => permission.Locator("button:not(.primary)").ClickAsync(), redraws: 2);
        Assert.Null(await Policy.GetLimitsAsync(BrowserFixture.Domain, admin.Number));
        var perMinute = permission.Locator("input[name=perMinute]");
        await Expect(perMinute).Not.ToHaveValueAsync("9");
        await Expect(perMinute).ToHaveValueAsync((await perMinute.GetAttributeAsync("data-drawn"))!);
        await Expect(domainConcurrent).ToHaveValueAsync("7");
    }

    private async Task<IPage> OpenPortalAsync(IBrowserContext context, TestAccount admin)
    {
        var portal = await context.NewPageAsync();
        await AdminPortalSession.OpenAsync(portal, fixture);
        await AdminPortalSession.LogInAsync(portal, admin);
        return portal;
    }

    /// <summary>
    /// Does <paramref name="action"/> (a click that saves) and waits until the <paramref name="redraws"/> redraws it starts
    /// have ended: admin.js counts ended redraws on main's data-redraws, and keeps main aria-busy while one runs.
    /// </summary>
    private static async Task SavedAndRedrawnAsync(IPage portal, Func<Task> action, int redraws = 1)
    {
        var before = int.Parse(await portal.Locator("main").GetAttributeAsync("data-redraws") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        await action();
        await portal.WaitForFunctionAsync(
            "n => { const m = document.querySelector('main'); return Number(m.dataset.redraws || 0) >= n && !m.hasAttribute('aria-busy'); }",
            before + redraws);
    }
}
