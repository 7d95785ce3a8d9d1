using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Switchboard.EndToEnd.Tests.Peers;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// The /admin portal in Chromium against the real PBX and a real baresip (docs/admin.md): an admin adds an extension,
/// makes a signed link for it, the link calls the phone from a fresh browser, the live view shows the call and hangs it
/// up once it shows both legs' quality, and the record is in the list and in the CSV with its MOS.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class AdminPortalTests(BrowserFixture fixture)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_admin_adds_an_extension_links_a_call_to_its_phone_hangs_it_up_from_the_live_view_and_finds_the_record_and_csv()
    {
        var admin = await AdminPortalSession.NewAdminAsync(fixture);
        var caller = await fixture.NewExtensionAsync();
        var number = (700 + Random.Shared.Next(0, 99)).ToString(CultureInfo.InvariantCulture);
        const string sipPassword = "portal-sip-secret";

        await using var context = await AdminPortalSession.NewContextAsync(fixture);
        var portal = await context.NewPageAsync();
        var violations = await AdminPortalSession.OpenAsync(portal, fixture);
        await AdminPortalSession.LogInAsync(portal, admin);

        // Add the callee's extension through the form.
        await portal.ClickAsync("#tabs button[data-view=extensions]");
        await portal.FillAsync("#add-extension input[name=number]", number);
        await portal.FillAsync("#add-extension input[name=displayName]", "Portal phone");
        await portal.FillAsync("#add-extension input[name=sipPassword]", sipPassword);
        await portal.ClickAsync("#add-extension button[type=submit]");
        await Expect(portal.Locator("#message")).ToContainTextAsync($"Added {number}@{BrowserFixture.Domain}");
        await Expect(portal.Locator($"#extensions tr[data-account='{number}@{BrowserFixture.Domain}']")).ToBeVisibleAsync();

        await using var phone = await StartPhoneAsync(number, sipPassword);
        await portal.ClickAsync("#tabs button[data-view=registrations]");
        await Expect(portal.Locator("#registrations tbody")).ToContainTextAsync($"{number}@{BrowserFixture.Domain}");

        // The generator: a link for the caller's extension to the new one.
        await portal.ClickAsync("#tabs button[data-view=links]");
        await portal.Locator("#link-account").SelectOptionAsync(caller.Account);
        await portal.FillAsync("#link-destination", number);
        await portal.FillAsync("#link-minutes", "10");
        await portal.ClickAsync("#make-link");
        await Expect(portal.Locator("#link-result")).ToBeVisibleAsync();
        var link = await portal.InputValueAsync("#link-url");
        Assert.Contains("destnumber=" + number, link, StringComparison.Ordinal);
        Assert.Contains("window.open('" + link + "'", await portal.InputValueAsync("#link-snippet"), StringComparison.Ordinal);

        // A visitor's fresh browser opens the link the seed's way; the phone answers.
        await using var visitor = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await visitor.OpenAsync(link);
        // The phone's answer first (bounded by Step), then the page: the page's own wait is the shorter Expect timeout.
        await phone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await popup.ExpectStateAsync("connected");

        await portal.ClickAsync("#tabs button[data-view=live]");
        var row = portal.Locator("#live-calls tbody tr", new() { HasText = caller.Account });
        await Expect(row).ToContainTextAsync(number);
        await Expect(row).ToContainTextAsync("connected");
        await Expect(row).ToContainTextAsync("PCMU");
        var callId = await row.GetAttributeAsync("data-call-id");
        Assert.False(string.IsNullOrEmpty(callId));

        // Both legs' quality from RTCP (docs/media.md, "Call quality") once each side has reported: the browser's SRTCP
        // and baresip's RTCP, a few seconds in.
        await Expect(row).ToContainTextAsync(new Regex(@"MOS \d.*MOS \d"), new() { Timeout = 30_000 });
        await AdminPortalSession.ScreenshotForDocsAsync(portal, "admin-portal.png");

        await row.Locator("button.hangup").ClickAsync();
        await popup.ExpectStateAsync("failed", "admin_hangup");
        await phone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        await Expect(portal.Locator("#live-calls tbody tr[data-call-id='" + callId + "']")).ToHaveCountAsync(0);

        var record = await CallRecords.WaitForAsync(fixture.Host, r => r.CallId == callId);
        Assert.Equal("admin_hangup", record.Reason);
        Assert.Equal("pbx", record.EndedBy);
        Assert.NotNull(record.AnsweredAt);
        Assert.InRange(record.CallerQuality!.Mos, 1, 4.5);
        Assert.InRange(record.CalleeQuality!.Mos, 1, 4.5);

        await portal.ClickAsync("#tabs button[data-view=records]");
        var recordRow = portal.Locator("#records tbody tr[data-call-id='" + callId + "']");
        await Expect(recordRow).ToContainTextAsync("hung up by an admin");
        await Expect(recordRow).ToContainTextAsync(Math.Min(record.CallerQuality.Mos, record.CalleeQuality.Mos).ToString("F1", CultureInfo.InvariantCulture));
        var href = await portal.GetAttributeAsync("#csv", "href");
        var csv = await portal.EvaluateAsync<string>("async (href) => (await fetch(href)).text()", href);
        Assert.Contains(callId + "," + BrowserFixture.Domain + "," + caller.Account + "," + number + ",link,extension,", csv, StringComparison.Ordinal);
        var line = csv.Split("\r\n").Single(l => l.StartsWith(callId + ",", StringComparison.Ordinal)).Split(',');
        var header = csv.Split("\r\n")[0].Split(',');
        Assert.Equal(record.CallerQuality.Mos, double.Parse(line[Array.IndexOf(header, "caller_mos")], CultureInfo.InvariantCulture), 2);
        Assert.Equal(record.CalleeQuality.Mos, double.Parse(line[Array.IndexOf(header, "callee_mos")], CultureInfo.InvariantCulture), 2);
        Assert.Empty(violations);
    }

    [Fact]
    public async Task The_portal_speaks_German_and_refuses_a_user_who_is_not_an_admin()
    {
        var user = await fixture.NewExtensionAsync();
        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "de-DE" });
        context.SetDefaultTimeout(8000);
        var portal = await context.NewPageAsync();
        await portal.GotoAsync(new Uri(fixture.Host.HttpUrl, "admin?lang=de").ToString());
        await Expect(portal.Locator("body")).ToHaveAttributeAsync("data-state", "login");
        await Expect(portal.Locator("#login")).ToHaveTextAsync("Anmelden");

        await AdminPortalSession.LogInAsync(portal, user, expectReady: false);
        await Expect(portal.Locator("#message")).ToHaveTextAsync("Dieses Konto ist kein Administrator.");
        await Expect(portal.Locator("#tabs")).ToBeHiddenAsync();
    }

    private Task<BaresipAgent> StartPhoneAsync(string number, string sipPassword) =>
        BaresipAgent.StartRegisteredAsync(new BaresipOptions
        {
            User = number,
            Domain = BrowserFixture.Domain,
            Registrar = "127.0.0.1:" + fixture.Host.SipUdpPort!.Value.ToString(CultureInfo.InvariantCulture),
            Transport = SipTransport.Udp,
            Password = sipPassword,
            AnswerMode = AnswerMode.Auto,
        }, CancellationToken.None);
}
