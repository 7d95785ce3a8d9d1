using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Switchboard.Pbx.Policy;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// The portal's call policy view in Chromium against the real PBX (docs/admin.md, "Call policy"): an admin adds a trunk
/// with caller ID and DIDs, then a dial rule, sees it listed, changes its trunk in place, is told the CLI's words for a bad pattern, lets its extension dial
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

        // A trunk with its caller ID and DIDs through the form; the list shows them, and that it does not register.
        await portal.ClickAsync("#tabs button[data-view=trunks]");
        await portal.FillAsync("#add-trunk input[name=name]", "e2e-carrier");
        await portal.FillAsync("#add-trunk input[name=proxy]", "127.0.0.1:5999");
        await portal.FillAsync("#add-trunk input[name=username]", "acct");
        await portal.FillAsync("#add-trunk input[name=password]", "carrier-secret");
        await portal.Locator("#add-trunk input[name=register]").UncheckAsync();
        await portal.FillAsync("#add-trunk input[name=fromUser]", "4930123456");
        await portal.FillAsync("#add-trunk textarea[name=dids]", "4930123456=100\n4930123457=*50");
        await Answered(portal, "POST", "/api/admin/trunks", () => portal.ClickAsync("#add-trunk button[type=submit]"));
        var trunk = portal.Locator("#trunks tr[data-trunk='e2e-carrier']");
        await Expect(trunk).ToContainTextAsync("4930123456 → 100, 4930123457 → *50");
        await Expect(trunk).ToContainTextAsync("does not register");
        await AdminPortalSession.ScreenshotForDocsAsync(portal, "admin-trunks.png");
        portal.Dialog += (_, dialog) => dialog.AcceptAsync();
        await Answered(portal, "DELETE", "/api/admin/trunks/", () => trunk.Locator("button.danger").ClickAsync());
        await Expect(trunk).ToHaveCountAsync(0);

        await portal.ClickAsync("#tabs button[data-view=policy]");
        await Expect(portal.Locator("#policy-domain")).ToHaveTextAsync(BrowserFixture.Domain);
        await portal.FillAsync("#add-rule input[name=pattern]", "0N.");
        await portal.FillAsync("#add-rule input[name=trunk]", "e2e-carrier");
        await portal.FillAsync("#add-rule input[name=strip]", "1");
        await portal.FillAsync("#add-rule input[name=prefix]", "+49");
        await Answered(portal, "POST", "/api/admin/dialrules", () => portal.ClickAsync("#add-rule button[type=submit]"));
        await Expect(portal.Locator("#message")).ToHaveTextAsync("Saved.");
        var row = portal.Locator("#dial-rules tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator("input[aria-label=Pattern]")).ToHaveValueAsync("0N.");
        await Expect(row.Locator("input[aria-label=Trunk]")).ToHaveValueAsync("e2e-carrier");
        var id = long.Parse((await row.GetAttributeAsync("data-rule-id"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("+49", (await Policy.FindDialRuleAsync(id))!.Rule.Prefix);

        // Changed in place: the same rule, another trunk.
        await row.Locator("input[aria-label=Trunk]").FillAsync("e2e-backup");
        await Answered(portal, "PUT", "/api/admin/dialrules/", () => row.Locator("button.primary").ClickAsync());
        await Expect(portal.Locator($"#dial-rules tbody tr[data-rule-id='{id}'] input[aria-label=Trunk]")).ToHaveValueAsync("e2e-backup");
        Assert.Equal("e2e-backup", (await Policy.FindDialRuleAsync(id))!.Rule.Trunk);

        // A bad pattern: refused with the CLI's words, nothing added.
        await portal.FillAsync("#add-rule input[name=pattern]", "0.49");
        await portal.FillAsync("#add-rule input[name=trunk]", "e2e-carrier");
        await portal.ClickAsync("#add-rule button[type=submit]");
        await Expect(portal.Locator("#message")).ToContainTextAsync("'0.49' has '.' that is not at its end");
        await Expect(portal.Locator("#dial-rules tbody tr")).ToHaveCountAsync(1);

        // International for the admin's own extension. The tables redraw after each change (the rule's PUT above): an
        // edit made while that redraw is under way lands in a row it then replaces, so wait for the redraw to end.
        await Expect(portal.Locator("main")).Not.ToHaveAttributeAsync("aria-busy", "true");
        var permission = portal.Locator($"#permissions tr[data-account='{admin.Account}']");
        await permission.Locator("input[name=international]").CheckAsync();
        await permission.Locator("input[name=concurrent]").FillAsync("3");
        await Expect(permission.Locator("input[name=international]")).ToBeCheckedAsync();
        await Answered(portal, "PUT", "/api/admin/limits/", () => permission.Locator("button.primary").ClickAsync());
        await Expect(portal.Locator($"#permissions tr[data-account='{admin.Account}'] td.hint")).ToHaveTextAsync("");
        await Expect(portal.Locator($"#permissions tr[data-account='{admin.Account}'] input[name=concurrent]")).ToHaveValueAsync("3");
        Assert.Contains(NumberClass.International, (await Policy.GetPermissionsAsync(BrowserFixture.Domain, admin.Number))!);
        Assert.Equal(3, (await Policy.GetLimitsAsync(BrowserFixture.Domain, admin.Number))!.Concurrent);
        await portal.EvaluateAsync("() => window.scrollTo(0, 0)");
        await AdminPortalSession.ScreenshotForDocsAsync(portal, "admin-policy.png");

        await Answered(portal, "DELETE", "/api/admin/dialrules/", () => portal.Locator($"#dial-rules tbody tr[data-rule-id='{id}'] button.danger").ClickAsync());
        await Expect(portal.Locator("#dial-rules tbody tr")).ToHaveCountAsync(0);
        Assert.Null(await Policy.FindDialRuleAsync(id));
        Assert.Empty(violations);
    }

    /// <summary>Does <paramref name="action"/> and waits for the API's answer to the request it makes, so the store can be read after.</summary>
    private static Task<IResponse> Answered(IPage portal, string method, string path, Func<Task> action) =>
        portal.RunAndWaitForResponseAsync(action, r => r.Request.Method == method && new Uri(r.Url).AbsolutePath.StartsWith(path, StringComparison.Ordinal));
}
