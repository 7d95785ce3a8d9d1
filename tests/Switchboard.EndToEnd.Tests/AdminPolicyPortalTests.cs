using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Switchboard.Pbx.Policy;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// The portal's call policy view in Chromium against the real PBX (docs/admin.md, "Call policy"): an admin adds a dial
/// rule, sees it listed, changes its trunk in place, is told the CLI's words for a bad pattern, lets its extension dial
/// international numbers, and removes the rule; each change is in the policy store the calls read.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class AdminPolicyPortalTests(BrowserFixture fixture)
{
    private IPolicyStore Policy => fixture.Host.Services.GetRequiredService<IPolicyStore>();

    [Fact]
    public async Task An_admin_adds_a_dial_rule_sees_it_listed_changes_it_and_sets_a_permission()
    {
        var admin = await AdminPortalSession.NewAdminAsync(fixture);
        await using var context = await AdminPortalSession.NewContextAsync(fixture);
        var portal = await context.NewPageAsync();
        var violations = await AdminPortalSession.OpenAsync(portal, fixture);
        await AdminPortalSession.LogInAsync(portal, admin);

        await portal.ClickAsync("#tabs button[data-view=extensions]");
        await Expect(portal.Locator($"#extensions tr[data-account='{admin.Account}']")).ToBeVisibleAsync();
        await AdminPortalSession.ScreenshotForDocsAsync(portal, "admin-extensions.png");

        await portal.ClickAsync("#tabs button[data-view=policy]");
        await Expect(portal.Locator("#policy-domain")).ToHaveTextAsync(BrowserFixture.Domain);
        await portal.FillAsync("#add-rule input[name=pattern]", "0N.");
        await portal.FillAsync("#add-rule input[name=trunk]", "e2e-carrier");
        await portal.FillAsync("#add-rule input[name=strip]", "1");
        await portal.FillAsync("#add-rule input[name=prefix]", "+49");
        await portal.ClickAsync("#add-rule button[type=submit]");
        await Expect(portal.Locator("#message")).ToHaveTextAsync("Saved.");
        var row = portal.Locator("#dial-rules tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator("input[aria-label=Pattern]")).ToHaveValueAsync("0N.");
        await Expect(row.Locator("input[aria-label=Trunk]")).ToHaveValueAsync("e2e-carrier");
        var id = long.Parse((await row.GetAttributeAsync("data-rule-id"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("+49", (await Policy.FindDialRuleAsync(id))!.Rule.Prefix);

        // Changed in place: the same rule, another trunk.
        await row.Locator("input[aria-label=Trunk]").FillAsync("e2e-backup");
        await row.Locator("button.primary").ClickAsync();
        await Expect(portal.Locator("#message")).ToHaveTextAsync("Saved.");
        await Expect(portal.Locator($"#dial-rules tbody tr[data-rule-id='{id}'] input[aria-label=Trunk]")).ToHaveValueAsync("e2e-backup");
        Assert.Equal("e2e-backup", (await Policy.FindDialRuleAsync(id))!.Rule.Trunk);

        // A bad pattern: refused with the CLI's words, nothing added.
        await portal.FillAsync("#add-rule input[name=pattern]", "0.49");
        await portal.FillAsync("#add-rule input[name=trunk]", "e2e-carrier");
        await portal.ClickAsync("#add-rule button[type=submit]");
        await Expect(portal.Locator("#message")).ToContainTextAsync("'0.49' has '.' that is not at its end");
        await Expect(portal.Locator("#dial-rules tbody tr")).ToHaveCountAsync(1);

        // International for the admin's own extension.
        var permission = portal.Locator($"#permissions tr[data-account='{admin.Account}']");
        await permission.Locator("input[name=international]").CheckAsync();
        await permission.Locator("input[name=concurrent]").FillAsync("3");
        await permission.Locator("button.primary").ClickAsync();
        await Expect(portal.Locator($"#permissions tr[data-account='{admin.Account}'] input[name=concurrent]")).ToHaveValueAsync("3");
        Assert.Contains(NumberClass.International, (await Policy.GetPermissionsAsync(BrowserFixture.Domain, admin.Number))!);
        Assert.Equal(3, (await Policy.GetLimitsAsync(BrowserFixture.Domain, admin.Number))!.Concurrent);
        await portal.EvaluateAsync("() => window.scrollTo(0, 0)");
        await AdminPortalSession.ScreenshotForDocsAsync(portal, "admin-policy.png");

        await portal.Locator($"#dial-rules tbody tr[data-rule-id='{id}'] button.danger").ClickAsync();
        await Expect(portal.Locator("#dial-rules tbody tr")).ToHaveCountAsync(0);
        Assert.Null(await Policy.FindDialRuleAsync(id));
        Assert.Empty(violations);
    }
}
