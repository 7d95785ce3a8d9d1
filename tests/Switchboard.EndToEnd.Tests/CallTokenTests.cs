using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Switchboard.EndToEnd.Tests.Peers;
using Switchboard.Pbx.Tokens;
using Switchboard.Server;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// Call tokens minted by a website's backend (docs/tokens.md) in the popup, and the in-page widget (docs/widget.md)
/// on pages of other loopback origins, against a real PBX, a real Chromium and a registered baresip.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class CallTokenTests(BrowserFixture fixture)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);

    private PbxHost Host => fixture.Host;

    /// <summary>A new API key of the demo domain whose calls run as <paramref name="caller"/>.</summary>
    private async Task<string> NewKeyAsync(TestAccount caller) =>
        (await ApiKeyAdmin.CreateAsync(Host.Services.GetRequiredService<IApiKeyStore>(), BrowserFixture.Domain, caller.Number, "test site",
            DateTimeOffset.UtcNow)).Secret;

    /// <summary>What a website's backend does: <c>POST /api/tokens</c> with its key; the ready popup URL.</summary>
    private async Task<string> MintAsync(string key, string destination, int? ttl = null, string? label = null)
    {
        var (status, body) = await ShopSite.MintAsync(Host.HttpUrl, key, new { destination, ttl, label });
        Assert.True(status == System.Net.HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("url").GetString()!;
    }

    private async Task ExpectRefusedAsync(string url, string reason, string? text = null)
    {
        var before = await CallRecords.CountAsync(Host);
        await using var browser = await PopupBrowser.CreateAsync(fixture, Host);
        var popup = await browser.OpenAsync(url);

        await popup.ExpectNoCallAsync("failed", reason);
        Assert.True(await popup.Locator("#account").IsHiddenAsync(), "a refused token must not offer the login form");
        if (text is not null)
        {
            Assert.Contains(text, await popup.StatusAsync(), StringComparison.Ordinal);
        }

        await CallRecords.ExpectUnchangedAsync(Host, before);
    }

    [Fact]
    public async Task A_minted_token_calls_a_baresip_with_audio_both_ways_and_a_digit_and_is_refused_when_used_again()
    {
        var visitor = await fixture.NewExtensionAsync();
        var callee = await fixture.NewExtensionAsync();
        await using var phone = await SipPhoneTests.StartPhoneAsync(Host, callee, SipTransport.Udp, AnswerMode.Auto, toneHz: 1000);
        var url = await MintAsync(await NewKeyAsync(visitor), callee.Number, label: "order 42");
        Assert.DoesNotContain("pass=", url, StringComparison.Ordinal);

        await using (var browser = await PopupBrowser.CreateAsync(fixture, Host))
        {
            var requests = new System.Collections.Concurrent.ConcurrentQueue<string>();
            browser.Context.Request += (_, r) => requests.Enqueue(new Uri(r.Url).AbsolutePath);
            var popup = await browser.OpenAsync(url);
            await popup.ExpectStateAsync("connected");
            Assert.DoesNotContain("login", await popup.StatesAsync());

            // The browser's navigation had the token checked with the page itself: the page asks nothing before its call.
            Assert.DoesNotContain("/api/token", requests);
            Assert.DoesNotContain("/api/session", requests);
            Assert.True(await popup.Locator("#logout").IsHiddenAsync(), "a token's call has no session to log out of");
            await phone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);

            // baresip's 1000 Hz tone plays in the popup; the keypad's digit reaches baresip as RFC 4733.
            await popup.WaitForInboundAudioAsync(packets: 50);
            await popup.ClickAsync("button[data-digit=\"5\"]");
            Assert.Equal("5", (await SipPhoneTests.WaitForDtmfAsync(phone, '5', await popup.StatusAsync())).Param);

            // The microphone's 400 Hz bursts (every 500 ms) fill baresip's recording, then the visitor hangs up.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await popup.ClickAsync("#hangup");
            await phone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        }

        var record = await CallRecords.WaitForAsync(Host, r => r.From == visitor.Account && r.Destination == callee.Number);
        Assert.Equal(("token", "order 42", "extension", "5"), (record.Origin, record.TokenLabel, record.Route, record.Digits));
        Assert.NotNull(record.AnsweredAt);

        var recording = await phone.RecordingsAsync();
        var received = recording.Received.From(TimeSpan.FromSeconds(0.5));
        var share = ToneDetector.PowerShare(received, recording.Received.SampleRate, 400);
        Assert.True(share > 0.15, string.Create(CultureInfo.InvariantCulture, $"baresip should hear the browser's 400 Hz beep: share {share:F2}"));

        // The same link again: the token was used by the call, so the page says so and calls nobody.
        await ExpectRefusedAsync(url, "token_used", "already been used");
    }

    [Fact]
    public async Task An_expired_token_is_refused_in_the_popups_language()
    {
        var visitor = await fixture.NewExtensionAsync();
        var url = await MintAsync(await NewKeyAsync(visitor), BrowserFixture.ReachableButIdle, ttl: 1);

        // The host runs on the real clock: a one-second token, and a bounded wait past its end.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await ExpectRefusedAsync(url + "&lang=de", "token_expired", "abgelaufen");
    }

    [Fact]
    public async Task A_token_opened_for_another_number_is_refused_and_calls_neither()
    {
        var visitor = await fixture.NewExtensionAsync();
        var url = await MintAsync(await NewKeyAsync(visitor), "101");
        Assert.Contains("destnumber=101&", url, StringComparison.Ordinal);

        await ExpectRefusedAsync(url.Replace("destnumber=101&", "destnumber=102&", StringComparison.Ordinal), "token_other_destination", "another number");

        // The token itself was not spent by the refusal: its own number still works.
        await using var browser = await PopupBrowser.CreateAsync(fixture, Host);
        var popup = await browser.OpenAsync(url);
        await popup.ExpectCallAttemptAsync("unavailable");
    }

    [Fact]
    public async Task The_widget_on_a_page_of_an_allowed_origin_places_the_call_in_its_frame()
    {
        var visitor = await fixture.NewExtensionAsync();
        var echo = new Pbx.Services.ServiceOptions().EchoNumber;
        await using var site = await ShopSite.StartAsync(Host.HttpUrl, await NewKeyAsync(visitor), echo, "widget visit");
        Assert.NotEqual(new Uri(Host.HttpUrl.GetLeftPart(UriPartial.Authority)), new Uri(site.Origin));
        await Host.Services.GetRequiredService<IWebOriginStore>().AddOriginAsync(BrowserFixture.Domain, site.Origin);

        await using var browser = await PopupBrowser.CreateAsync(fixture, Host);
        var page = await browser.Context.NewPageAsync();
        await page.GotoAsync(site.Url.ToString());
        await page.ClickAsync(".switchboard-call");

        var frame = page.FrameLocator(".switchboard-panel iframe");
        try
        {
            await Expect(frame.Locator("body")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 10_000 });
        }
        catch (PlaywrightException ex)
        {
            throw new PlaywrightException(ex.Message + "\nPBX log, last lines:\n" + RecentPbxLog.Instance.Tail(), ex);
        }

        Assert.True(await frame.Locator("#keypad").IsVisibleAsync());
        Assert.Equal("open", await page.Locator(".switchboard-widget").GetAttributeAsync("data-state"));

        // Closing the panel ends the call (the frame's page goes, and hangs up on its way out).
        await page.ClickAsync(".switchboard-close");
        await Expect(page.Locator(".switchboard-panel iframe")).ToHaveCountAsync(0);
        var record = await CallRecords.WaitForAsync(Host, r => r.From == visitor.Account && r.Destination == echo, Step);
        Assert.Equal(("token", "widget visit", "service:echo"), (record.Origin, record.TokenLabel, record.Route));
        Assert.NotNull(record.AnsweredAt);
    }

    [Fact]
    public async Task The_widget_on_a_page_of_an_origin_the_domain_does_not_allow_says_so_and_calls_nobody()
    {
        var visitor = await fixture.NewExtensionAsync();
        await using var site = await ShopSite.StartAsync(Host.HttpUrl, await NewKeyAsync(visitor), BrowserFixture.ReachableButIdle, "elsewhere");
        var before = await CallRecords.CountAsync(Host);

        await using var browser = await PopupBrowser.CreateAsync(fixture, Host);
        var page = await browser.Context.NewPageAsync();
        await page.GotoAsync(site.Url.ToString());
        await page.ClickAsync(".switchboard-call");

        var widget = page.Locator(".switchboard-widget");
        await Expect(widget).ToHaveAttributeAsync("data-reason", "origin_not_allowed");
        var message = await page.Locator(".switchboard-message").TextContentAsync() ?? "";
        Assert.Contains("not allowed", message, StringComparison.Ordinal);
        Assert.Contains(site.Origin, message, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("iframe").CountAsync());
        await CallRecords.ExpectUnchangedAsync(Host, before);
    }
}
