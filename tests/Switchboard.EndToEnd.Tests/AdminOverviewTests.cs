using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Switchboard.Pbx.Directory;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// The portal's overview in Chromium against the real PBX (docs/admin.md, "Overview"): the first page a system admin
/// sees, its figures polled live (a browser call to the echo test shows up in calls up, calls in the last minute and
/// the set-up times), in German too; an admin of one domain sees only that domain's figures.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class AdminOverviewTests(BrowserFixture fixture)
{
    private const string Count = "^\\d+$";

    [Fact]
    public async Task A_system_admin_sees_the_figures_move_with_a_browser_call_and_a_domain_admin_only_its_domains()
    {
        var system = await fixture.NewExtensionAsync();
        await fixture.Host.Admin.SetRoleAsync(BrowserFixture.Domain, system.Number, ExtensionRole.SystemAdmin);
        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = "en-US",
        });
        context.SetDefaultTimeout(10_000);
        var portal = await OpenPortalAsync(context, system);

        // The overview is the first page; every tile holds a count once the first poll has come back.
        await Expect(portal.Locator("#view-overview")).ToBeVisibleAsync();
        await Expect(portal.Locator("#overview-node")).ToBeVisibleAsync();
        foreach (var figure in new[] { "callsUp", "registrations", "callsLastMinute", "authFailures", "lockouts", "policyDenials" })
        {
            await Expect(Tile(portal, figure)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(Count));
        }

        // A visitor calls the echo test from the popup; the overview shows it without a reload.
        var caller = await fixture.NewExtensionAsync();
        await using (var visitor = await PopupBrowser.CreateAsync(fixture, fixture.Host))
        {
            var popup = await visitor.OpenAsync(fixture.Host, "?destnumber=" + Uri.EscapeDataString("*43"));
            await popup.LoginAsync(caller, remember: false);
            await popup.ExpectStateAsync("connected");

            await Expect(Tile(portal, "callsUp")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9]\\d*$"));
            // "Last minute" is a sliding window: earlier tests' calls leave it while this one joins, so the tile is compared
            // with the node's own count, which holds this call, rather than with the figure read before it.
            await ExpectCallsLastMinuteAsync(portal);

            // The echo's first SRTP out is the set-up's end: both quantiles are figures now, in milliseconds.
            await Expect(Tile(portal, "setup")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[\\d.,]+ / [\\d.,]+$"));
        }

        // German, from the language menu: the labels follow, the figures stay.
        await portal.Locator("#lang").SelectOptionAsync("de");
        await Expect(portal.Locator("#tabs button[data-view=overview]")).ToHaveTextAsync("Übersicht");
        await Expect(portal.Locator("[data-figure=callsUp] dt")).ToHaveTextAsync("Laufende Gespräche");
        await Expect(portal.Locator("[data-figure=lockouts] dt")).ToHaveTextAsync("Sperren");

        // An admin of the domain: its calls and registrations, not the node's figures.
        var admin = await fixture.NewExtensionAsync();
        await fixture.Host.Admin.SetRoleAsync(BrowserFixture.Domain, admin.Number, ExtensionRole.Admin);
        await using var adminContext = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        adminContext.SetDefaultTimeout(10_000);
        var domainPortal = await OpenPortalAsync(adminContext, admin);
        await Expect(Tile(domainPortal, "registrations")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(Count));
        await Expect(Tile(domainPortal, "callsUp")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(Count));
        await Expect(domainPortal.Locator("#overview-node")).ToBeHiddenAsync();
    }

    /// <summary>Waits (bounded) until the tile shows what the node counts now, the call that is up among it.</summary>
    private async Task ExpectCallsLastMinuteAsync(IPage portal)
    {
        var engine = fixture.Host.Services.GetRequiredService<Switchboard.Pbx.Calls.CallEngine>();
        string? shown = null;
        var counted = 0;
        for (var attempt = 0; attempt < 60; attempt++)
        {
            shown = await Tile(portal, "callsLastMinute").TextContentAsync();
            counted = engine.CallsInLastMinute;
            if (counted >= 1 && shown == counted.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"the overview shows {shown} calls in the last minute; the node counts {counted}");
    }

    private static ILocator Tile(IPage portal, string figure) => portal.Locator($"#view-overview [data-figure={figure}] dd");

    private async Task<IPage> OpenPortalAsync(IBrowserContext context, TestAccount account)
    {
        var portal = await context.NewPageAsync();
        await portal.GotoAsync(new Uri(fixture.Host.HttpUrl, "admin").ToString());
        await Expect(portal.Locator("body")).ToHaveAttributeAsync("data-state", "login");
        await portal.FillAsync("#account", account.Account);
        await portal.FillAsync("#password", account.Password);
        await portal.ClickAsync("#login");
        await Expect(portal.Locator("body")).ToHaveAttributeAsync("data-state", "ready");
        return portal;
    }
}
