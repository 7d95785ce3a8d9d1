using System.Globalization;
using Microsoft.Playwright;
using Switchboard.EndToEnd.Tests.Peers;
using Switchboard.Pbx.Services;
using Switchboard.Server;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// phone.htm, the extension's softphone in the browser (docs/phone.md): it logs in like the popup, registers over its
/// SIP WebSocket, rings with a WebAudio tone, answers, sends RFC 4733 digits, mutes, and places calls. The far sides are
/// real: baresip over UDP, the echo test, a popup calling a queue.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class PhoneTests(BrowserFixture fixture)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);

    /// <summary>Chromium's fake microphone: 400 Hz bursts (docs/testing.md).</summary>
    private const double FakeMicrophoneHz = 400;

    private PbxHost Host => fixture.Host;

    [Fact]
    public async Task A_baresip_call_rings_in_the_phone_which_answers_with_audio_both_ways_sends_digits_and_ends_with_the_far_side()
    {
        var agent = await fixture.NewExtensionAsync();
        var caller = await fixture.NewExtensionAsync();
        await using var browser = await PhoneBrowser.CreateAsync(fixture);
        var phone = await browser.OpenAsync(Host);
        await phone.LoginAsync(agent, remember: false);
        await phone.ExpectStateAsync("idle");
        await Expect(phone.Locator("body")).ToHaveAttributeAsync("data-registered", "true");

        await using var far = await SipPhoneTests.StartPhoneAsync(Host, caller, SipTransport.Udp, AnswerMode.Auto, toneHz: 1000);
        await far.DialAsync($"sip:{agent.Number}@{BrowserFixture.Domain}");

        // It rings, audibly: the ring tone's oscillators run in a running AudioContext, and the caller is shown.
        await phone.ExpectStateAsync("incoming");
        await Expect(phone.Locator("body")).ToHaveAttributeAsync("data-tone", "ring");
        await phone.WaitForFunctionAsync("() => window.__oscillators.includes(440) && window.__oscillators.includes(480) && window.__audioRunning()");
        await Expect(phone.Locator("#peer")).ToContainTextAsync(caller.Number);

        await phone.ClickAsync("#answer");
        await phone.ExpectStateAsync("connected");
        Assert.Null(await phone.Locator("body").GetAttributeAsync("data-tone"));
        await far.WaitForEventAsync(BaresipEvent.CallEstablished, Step);

        // baresip's 1 kHz tone plays in the phone, decoded above silence.
        await phone.WaitForInboundAudioAsync(packets: 50);

        // The keypad's RFC 4733 events cross the relay and reach baresip as DTMF.
        foreach (var digit in "4#")
        {
            await phone.ClickAsync($"button[data-digit=\"{digit}\"]");
            var dtmf = await SipPhoneTests.WaitForDtmfAsync(far, digit, await phone.StatusAsync());
            Assert.Equal(digit.ToString(), dtmf.Param);
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await far.HangupAsync();
        await far.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        await phone.ExpectStateAsync("idle", "remote_hangup");

        var record = await CallRecords.WaitForAsync(Host, r => r.From == caller.Account && r.Destination == agent.Number);
        Assert.Equal("hangup", record.Reason);
        Assert.Equal("caller", record.EndedBy);
        Assert.NotNull(record.AnsweredAt);

        // The browser's microphone (400 Hz) reached baresip's recording.
        var recording = await far.RecordingsAsync();
        var received = recording.Received.From(TimeSpan.FromSeconds(0.5));
        var share = ToneDetector.PowerShare(received, recording.Received.SampleRate, FakeMicrophoneHz);
        Assert.True(share > 0.15, string.Create(CultureInfo.InvariantCulture, $"baresip should hear the phone's 400 Hz beep: share {share:F2}"));
    }

    [Fact]
    public async Task The_phone_calls_the_echo_test_hears_itself_mutes_holds_and_its_hang_up_ends_the_call()
    {
        var account = await fixture.NewExtensionAsync();
        await using var browser = await PhoneBrowser.CreateAsync(fixture);
        var phone = await browser.OpenAsync(Host);
        await phone.LoginAsync(account, remember: false);
        await phone.ExpectStateAsync("idle");

        await phone.FillAsync("#number", new ServiceOptions().EchoNumber);
        await phone.ClickAsync("#dial");
        await phone.ExpectStateAsync("connected");
        await phone.WaitForInboundAudioAsync(packets: 100);

        // Muted: the track is off, so nothing of ours comes back (the echo's level falls to silence).
        await phone.ClickAsync("#mute");
        await Expect(phone.Locator("#mute")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.False(await phone.EvaluateAsync<bool>("() => window.__pcs[0].getSenders()[0].track.enabled"));
        await phone.ClickAsync("#mute");
        Assert.True(await phone.EvaluateAsync<bool>("() => window.__pcs[0].getSenders()[0].track.enabled"));

        // Hold is signalled (a re-INVITE a=sendonly, answered by the call's WebRTC session) and the page sends and plays
        // nothing until resumed; with the echo there is no other party to hear the hold music.
        await phone.ClickAsync("#hold");
        await Expect(phone.Locator("#hold")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(phone.Locator("#status")).ToHaveTextAsync("On hold");
        Assert.True(await phone.EvaluateAsync<bool>("() => document.getElementById('remote').muted && !window.__pcs[0].getSenders()[0].track.enabled"));
        await phone.ClickAsync("#hold");
        await Expect(phone.Locator("#hold")).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.True(await phone.EvaluateAsync<bool>("() => !document.getElementById('remote').muted && window.__pcs[0].getSenders()[0].track.enabled"));

        await phone.ClickAsync("#hangup");
        await phone.ExpectStateAsync("idle", "hangup");
        var record = await CallRecords.WaitForAsync(Host, r => r.From == account.Account && r.Destination == new ServiceOptions().EchoNumber);
        Assert.Equal("hangup", record.Reason);
        Assert.Equal("caller", record.EndedBy);
        Assert.Equal("sip", record.Origin);
    }

    [Fact]
    public async Task A_queue_agent_answers_a_waiting_popup_in_the_phone_with_audio_both_ways_and_hangs_up()
    {
        var data = BrowserFixture.NewDataDirectory();
        try
        {
            var (host, agent, visitors) = await QueueTests.StartWithQueueAsync(fixture, data);
            await using var _ = host;
            await using var agentBrowser = await PhoneBrowser.CreateAsync(fixture);
            var phone = await agentBrowser.OpenAsync(host);
            await phone.LoginAsync(agent, remember: false);
            await phone.ExpectStateAsync("idle");

            await using var visitorBrowser = await PopupBrowser.CreateAsync(fixture, host);
            var popup = await visitorBrowser.OpenAsync(host, "?destnumber=8800");
            await popup.LoginAsync(visitors[0], remember: false);
            await popup.ExpectStateAsync("connected");

            // The queue offers the caller to its idle agent: the phone rings, the agent answers, the visitor leaves the line.
            await phone.ExpectStateAsync("incoming");
            await phone.ClickAsync("#answer");
            await phone.ExpectStateAsync("connected");
            await Expect(popup.Locator("#queue")).ToBeHiddenAsync();
            await phone.WaitForInboundAudioAsync(packets: 50);
            await popup.WaitForInboundAudioAsync(packets: 200);

            await phone.ClickAsync("#hangup");
            await phone.ExpectStateAsync("idle", "hangup");
            await popup.ExpectStateAsync("ended", "remote_hangup");
            var record = await CallRecords.WaitForAsync(host, r => r.From == visitors[0].Account && r.Destination == "8800");
            Assert.Equal("sales", record.Queue);
            Assert.Equal(agent.Number, record.Agent);
        }
        finally
        {
            BrowserFixture.TryDelete(data);
        }
    }

    [Fact]
    public async Task A_remembered_session_registers_again_on_reload_without_the_form_and_logout_forgets_it_in_German()
    {
        var account = await fixture.NewExtensionAsync();
        await using var browser = await PhoneBrowser.CreateAsync(fixture, locale: "de-DE");
        var phone = await browser.OpenAsync(Host);
        await phone.LoginAsync(account, remember: true);
        await phone.ExpectStateAsync("idle");
        Assert.Equal("de", await phone.EvaluateAsync<string>("() => document.documentElement.lang"));
        await Expect(phone.Locator("#dial")).ToHaveTextAsync("Anrufen");

        await phone.ReloadAsync();
        await phone.ExpectStateAsync("idle");
        await Expect(phone.Locator("body")).ToHaveAttributeAsync("data-registered", "true");
        Assert.DoesNotContain("login", await phone.StatesAsync());

        await phone.ClickAsync("#logout");
        await phone.ExpectStateAsync("login");
        await phone.ReloadAsync();
        await phone.ExpectStateAsync("login");
    }
}

/// <summary>A browser context for phone.htm, on the PBX's own origin, recording states, peer connections and tones.</summary>
internal sealed class PhoneBrowser : IAsyncDisposable
{
    /// <summary>Adds to the popup's recorder: which oscillator frequencies started, and whether audio output runs.</summary>
    private const string ToneRecorder = """
        (() => {
          window.__oscillators = [];
          window.__contexts = [];
          const NativeContext = window.AudioContext;
          if (NativeContext) {
            window.AudioContext = function (...args) { const c = new NativeContext(...args); window.__contexts.push(c); return c; };
            window.AudioContext.prototype = NativeContext.prototype;
          }
          const start = OscillatorNode.prototype.start;
          OscillatorNode.prototype.start = function (...args) { window.__oscillators.push(this.frequency.value); return start.apply(this, args); };
          window.__audioRunning = () => window.__contexts.some(c => c.state === 'running');
        })();
        """;

    private readonly PopupBrowser popup;

    private PhoneBrowser(PopupBrowser popup) => this.popup = popup;

    public IBrowserContext Context => popup.Context;

    public static async Task<PhoneBrowser> CreateAsync(BrowserFixture fixture, string? locale = null)
    {
        var popup = await PopupBrowser.CreateAsync(fixture, fixture.Host, locale: locale);
        await popup.Context.AddInitScriptAsync(ToneRecorder);
        return new PhoneBrowser(popup);
    }

    public async Task<IPage> OpenAsync(PbxHost host, string query = "")
    {
        var page = await Context.NewPageAsync();
        await page.GotoAsync(new Uri(host.HttpUrl, "phone.htm" + query).ToString());
        return page;
    }

    public ValueTask DisposeAsync() => popup.DisposeAsync();
}
