using Microsoft.Playwright;
using Switchboard.Pbx.Services;
using Switchboard.Server;
using Switchboard.Web.Hosting;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>Real calls with real media: Chromium's WebRTC against our ICE-lite, DTLS-SRTP and RTP, through the built-in services.</summary>
[Collection(PopupGroup.Name)]
public sealed class EchoAndDtmfTests(BrowserFixture fixture)
{

    private async Task<(PopupBrowser Browser, IPage Popup)> CallAsync(PbxHost host, string number, bool stubClose = true)
    {
        var account = await fixture.NewExtensionAsync(host);
        var browser = await PopupBrowser.CreateAsync(fixture, host, stubClose: stubClose);
        var popup = await browser.OpenAsync(host, "?destnumber=" + Uri.EscapeDataString(number));
        await popup.LoginAsync(account, remember: false);
        await popup.ExpectStateAsync("connected");
        return (browser, popup);
    }

    [Fact]
    public async Task The_echo_test_returns_the_fake_microphone_tone_and_hang_up_ends_it_as_the_callers()
    {
        var (browser, popup) = await CallAsync(fixture.Host, new ServiceOptions().EchoNumber);
        await using var _ = browser;

        // Over 100 packets of our echo arrived and decoded to a level above silence: the tone came back.
        await popup.WaitForInboundAudioAsync(packets: 100);
        Assert.True(await popup.EvaluateAsync<bool>("() => document.getElementById('remote').srcObject !== null"), "remote audio is played");
        var account = await popup.InputValueAsync("#account");

        await popup.ClickAsync("#hangup");

        await popup.ExpectStateAsync("ended", "hangup");
        var record = await CallRecords.WaitForAsync(fixture.Host,
            r => r.From == account && r.Destination == new ServiceOptions().EchoNumber && r.Reason == "hangup");
        Assert.NotNull(record.AnsweredAt);
        Assert.Equal("caller", record.EndedBy);
    }

    [Fact]
    public async Task Keypad_digits_reach_the_DTMF_test_and_hang_up_leaves_a_record_with_a_duration()
    {
        var (browser, popup) = await CallAsync(fixture.Host, new ServiceOptions().DtmfTestNumber);
        await using var _ = browser;
        await popup.WaitForFunctionAsync("() => window.__pcs[0].connectionState === 'connected'", null, new() { Timeout = 10_000 });

        // tonechange: a tone starts (tone) or the buffer has played out, gaps and all (empty tone).
        await popup.EvaluateAsync("() => window.__pcs[0].getSenders()[0].dtmf.addEventListener('tonechange', e => { window.__tonesDone = !e.tone; if (e.tone) window.__tones.push(e.tone); })");

        // Keypad and keyboard mixed, typed fast as a user does: no digit may be lost.
        await popup.ClickAsync("button[data-digit=\"1\"]");
        await popup.Keyboard.TypeAsync("2*");
        await popup.ClickAsync("button[data-digit=\"#\"]");
        await popup.WaitForFunctionAsync("() => window.__tones.join('') === '12*#' && window.__tonesDone", null, new() { Timeout = 5_000 });
        await Expect(popup.Locator("#status")).ToContainTextAsync("12*#");
        await popup.ClickAsync("#hangup");

        await popup.ExpectStateAsync("ended", "hangup");
        await popup.WaitForFunctionAsync("() => window.__closeRequests > 0", null, new() { Timeout = 4000 });
        var account = await popup.InputValueAsync("#account");
        var record = await CallRecords.WaitForAsync(fixture.Host,
            r => r.From == account && r.Destination == new ServiceOptions().DtmfTestNumber && r.Reason == "hangup");
        Assert.Equal("12*#", record.Digits);
        Assert.Equal("caller", record.EndedBy);
        Assert.True(record.Duration > TimeSpan.Zero, "an answered call has a duration");
        Assert.Matches(@"^1:\d+ 2:\d+ \*:\d+ #:\d+$", record.DigitLog);
    }

    [Fact]
    public async Task When_the_DTMF_test_hangs_up_by_itself_the_popup_closes_with_the_reason()
    {
        var data = BrowserFixture.NewDataDirectory();
        await using var host = await BrowserFixture.StartHostAsync(data, addressFailureLimit: 1000,
            services: new ServiceOptions { DtmfTestHangupAfter = TimeSpan.FromSeconds(3) });
        try
        {
            var (browser, popup) = await CallAsync(host, new ServiceOptions().DtmfTestNumber, stubClose: false);
            await using var _ = browser;
            var closed = new TaskCompletionSource();
            popup.Close += (_, _) => closed.TrySetResult();

            await popup.ExpectStateAsync("ended", "remote_hangup");
            await closed.Task.WaitAsync(TimeSpan.FromSeconds(8));
            var record = await CallRecords.WaitForAsync(host, r => r.Reason == "remote_hangup");
            Assert.Equal("callee", record.EndedBy);
        }
        finally
        {
            BrowserFixture.TryDelete(data);
        }
    }

    [Fact]
    public async Task The_page_answers_the_PBX_keep_alive_so_a_quiet_call_stays_up()
    {
        // The PBX pings every 300 ms and ends a socket silent for 1.5 s; the page's own ping is every
        // 15 s, so only its pongs keep this call alive.
        var data = BrowserFixture.NewDataDirectory();
        await using var host = await BrowserFixture.StartHostAsync(data, addressFailureLimit: 1000,
            web: new WebOptions { PingInterval = TimeSpan.FromMilliseconds(300), IdleTimeout = TimeSpan.FromSeconds(1.5) });
        try
        {
            var (browser, popup) = await CallAsync(host, new ServiceOptions().EchoNumber);
            await using var _ = browser;

            await Task.Delay(TimeSpan.FromSeconds(4)); // several idle timeouts long: the call must outlive them
            await popup.ExpectStateAsync("connected");
            Assert.DoesNotContain(await host.Admin.ListCallRecordsAsync(), r => r.Destination == new ServiceOptions().EchoNumber);

            await popup.ClickAsync("#hangup");
            var record = await CallRecords.WaitForAsync(host, r => r.Destination == new ServiceOptions().EchoNumber);
            Assert.Equal("hangup", record.Reason);
            Assert.Equal("caller", record.EndedBy);
        }
        finally
        {
            BrowserFixture.TryDelete(data);
        }
    }

    [Fact]
    public async Task A_browser_closed_without_hanging_up_ends_the_call_on_the_server()
    {
        var (browser, popup) = await CallAsync(fixture.Host, new ServiceOptions().EchoNumber);
        var callId = await popup.EvaluateAsync<string>("() => document.body.dataset.callId || ''");

        // The page gets no chance to say goodbye: its hang-up message is dropped, then the browser context goes.
        await popup.EvaluateAsync("() => { const send = WebSocket.prototype.send; WebSocket.prototype.send = function (d) { if (!String(d).includes('hangup')) send.call(this, d); }; }");
        await browser.DisposeAsync();

        var record = await CallRecords.WaitForAsync(fixture.Host,
            r => r.Destination == new ServiceOptions().EchoNumber && r.AnsweredAt is not null && (callId.Length == 0 || r.CallId == callId),
            TimeSpan.FromSeconds(30));
        Assert.Equal("caller", record.EndedBy);
    }
}
