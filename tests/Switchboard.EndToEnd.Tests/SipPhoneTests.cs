using System.Globalization;
using Microsoft.Playwright;
using Switchboard.EndToEnd.Tests.Peers;
using Switchboard.Server;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// Click-to-call and phone-to-phone calls with real SIP user agents registered to the PBX: baresip over UDP and
/// TCP, JsSIP over SIP-over-WebSocket in Chromium. Audio is proven by tones in recordings and by Chromium's
/// getStats(), digits by the far side's DTMF events.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class SipPhoneTests(BrowserFixture fixture)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);

    /// <summary>Chromium's fake microphone: 400 Hz square bursts (docs/testing.md).</summary>
    private const double FakeMicrophoneHz = 400;

    private PbxHost Host => fixture.Host;

    [Theory]
    [InlineData(SipTransport.Udp)]
    [InlineData(SipTransport.Tcp)]
    public async Task Click_to_call_reaches_a_registered_baresip_with_audio_both_ways_and_its_hang_up_closes_the_popup(SipTransport transport)
    {
        var caller = await fixture.NewExtensionAsync();
        var callee = await fixture.NewExtensionAsync();
        await using var phone = await StartPhoneAsync(callee, transport, AnswerMode.Auto, toneHz: 1000);

        await using var browser = await PopupBrowser.CreateAsync(fixture, Host, stubClose: false);
        var popup = await browser.OpenAsync(Host, "?destnumber=" + callee.Number);
        var closed = new TaskCompletionSource();
        popup.Close += (_, _) => closed.TrySetResult();
        await popup.LoginAsync(caller, remember: false);
        await popup.ExpectStateAsync("connected");
        await phone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);

        // baresip's tone plays in the popup: Chromium decodes it to a level above silence.
        await popup.WaitForInboundAudioAsync(packets: 50);

        // The keypad's RFC 4733 events cross the relay and reach baresip as DTMF.
        foreach (var digit in "12#")
        {
            await popup.ClickAsync($"button[data-digit=\"{digit}\"]");

            // The page shows a digit only once its DTMF sender took it (it drops a key when canInsertDTMF is false):
            // when baresip then sees nothing, this tells a key the page refused from a tone lost on the way.
            var status = await popup.StatusAsync();
            var dtmf = await WaitForDtmfAsync(phone, digit, status);
            Assert.Equal(digit.ToString(), dtmf.Param);
        }

        // Let the microphone's bursts (every 500 ms) fill the recording, then baresip hangs up.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await phone.HangupAsync();
        await phone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        await closed.Task.WaitAsync(Step);

        var record = await CallRecords.WaitForAsync(Host, r => r.From == caller.Account && r.Destination == callee.Number);
        Assert.Equal("remote_hangup", record.Reason);
        Assert.Equal("callee", record.EndedBy);
        Assert.Equal("extension", record.Route);
        Assert.Equal("12#", record.Digits);

        var recording = await phone.RecordingsAsync();
        var received = recording.Received.From(TimeSpan.FromSeconds(0.5));
        var share = ToneDetector.PowerShare(received, recording.Received.SampleRate, FakeMicrophoneHz);
        Assert.True(share > 0.15, string.Create(CultureInfo.InvariantCulture,
            $"baresip should hear the browser's 400 Hz beep: share {share:F2}, rms {ToneDetector.Rms(received):F0}, dominant {ToneDetector.DominantFrequency(received, recording.Received.SampleRate):F0} Hz"));
    }

    [Fact]
    public async Task A_busy_phone_shows_busy_in_the_popup()
    {
        var caller = await fixture.NewExtensionAsync();
        var callee = await fixture.NewExtensionAsync();
        await using var phone = await StartPhoneAsync(callee, SipTransport.Udp, AnswerMode.Manual);

        await using var browser = await PopupBrowser.CreateAsync(fixture, Host);
        var popup = await browser.OpenAsync(Host, "?destnumber=" + callee.Number);
        await popup.LoginAsync(caller, remember: false);
        await phone.WaitForEventAsync(BaresipEvent.CallIncoming, Step);
        await popup.ExpectStateAsync("ringing");

        // baresip 1.0.0 answers a refused call with 486 (docs/testing.md).
        await phone.HangupAsync();
        await popup.ExpectStateAsync("failed", "busy");
        var record = await CallRecords.WaitForAsync(Host, r => r.From == caller.Account && r.Destination == callee.Number);
        Assert.Equal("busy", record.Reason);
        Assert.Null(record.AnsweredAt);
    }

    [Fact]
    public async Task A_phone_that_cannot_take_the_codec_refuses_and_the_popup_says_unavailable()
    {
        var caller = await fixture.NewExtensionAsync();
        var callee = await fixture.NewExtensionAsync();

        // Offered PCMU only (the browser's first G.711), a PCMA-only phone answers 488.
        await using var phone = await StartPhoneAsync(callee, SipTransport.Udp, AnswerMode.Auto, codecs: "PCMA/8000/1");
        await using var browser = await PopupBrowser.CreateAsync(fixture, Host);
        var popup = await browser.OpenAsync(Host, "?destnumber=" + callee.Number);
        await popup.LoginAsync(caller, remember: false);
        await popup.ExpectStateAsync("failed", "unavailable");
        var record = await CallRecords.WaitForAsync(Host, r => r.From == caller.Account && r.Destination == callee.Number);
        Assert.Equal("unavailable", record.Reason);
        Assert.Null(record.AnsweredAt);
    }

    [Fact]
    public async Task A_popup_that_hangs_up_while_the_phone_rings_cancels_it()
    {
        var caller = await fixture.NewExtensionAsync();
        var callee = await fixture.NewExtensionAsync();
        await using var phone = await StartPhoneAsync(callee, SipTransport.Tcp, AnswerMode.Manual);
        await using var browser = await PopupBrowser.CreateAsync(fixture, Host);
        var popup = await browser.OpenAsync(Host, "?destnumber=" + callee.Number);
        await popup.LoginAsync(caller, remember: false);
        await phone.WaitForEventAsync(BaresipEvent.CallIncoming, Step);
        await popup.ExpectStateAsync("ringing");

        await popup.ClickAsync("#hangup");
        await phone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        var record = await CallRecords.WaitForAsync(Host, r => r.From == caller.Account && r.Destination == callee.Number);
        Assert.Equal("hangup", record.Reason);
        Assert.Equal("caller", record.EndedBy);
    }

    [Fact]
    public async Task Baresip_calls_baresip_through_the_PBX_with_audio_both_ways()
    {
        var alice = await fixture.NewExtensionAsync();
        var bob = await fixture.NewExtensionAsync();
        await using var a = await StartPhoneAsync(alice, SipTransport.Udp, AnswerMode.Auto, toneHz: 440);
        await using var b = await StartPhoneAsync(bob, SipTransport.Tcp, AnswerMode.Auto, toneHz: 1000);

        await a.DialAsync($"sip:{bob.Number}@{BrowserFixture.Domain}");
        await a.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await b.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await a.HangupAsync();
        await a.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        await b.WaitForEventAsync(BaresipEvent.CallClosed, Step);

        var heardByBob = (await b.RecordingsAsync()).Received;
        var heardByAlice = (await a.RecordingsAsync()).Received;
        Assert.True(ToneDetector.PowerShare(heardByBob.From(TimeSpan.FromSeconds(0.5)), heardByBob.SampleRate, 440) > 0.5, "Bob hears Alice's 440 Hz");
        Assert.True(ToneDetector.PowerShare(heardByAlice.From(TimeSpan.FromSeconds(0.5)), heardByAlice.SampleRate, 1000) > 0.5, "Alice hears Bob's 1 kHz");

        var record = await CallRecords.WaitForAsync(Host, r => r.From == alice.Account && r.Destination == bob.Number);
        Assert.Equal("sip", record.Origin);
        Assert.Equal("hangup", record.Reason);
        Assert.NotNull(record.AnsweredAt);
    }

    [Fact]
    public async Task A_JsSIP_softphone_over_WebSocket_receives_a_click_to_call_with_audio_both_ways()
    {
        var caller = await fixture.NewExtensionAsync();
        var callee = await fixture.NewExtensionAsync();
        var wsUrl = "ws://" + Host.HttpUrl.Authority + "/sip";
        await using var softphone = await JsSipPhone.StartAsync(fixture.Browser, wsUrl, callee.Number, BrowserFixture.Domain, "sip-" + callee.Password);
        await softphone.WaitRegisteredAsync(Step);

        await using var browser = await PopupBrowser.CreateAsync(fixture, Host);
        var popup = await browser.OpenAsync(Host, "?destnumber=" + callee.Number);
        await popup.LoginAsync(caller, remember: false);
        await popup.ExpectStateAsync("connected");
        await softphone.WaitCallStateAsync("confirmed", Step);

        // Each browser decodes the other's fake microphone: audio both ways through two SRTP legs.
        await popup.WaitForInboundAudioAsync(packets: 50);
        var deadline = DateTime.UtcNow + Step;
        var heard = await softphone.InboundAudioLevelAsync();
        while ((heard.PacketsReceived < 50 || heard.TotalAudioEnergy <= 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            heard = await softphone.InboundAudioLevelAsync();
        }

        if (heard.PacketsReceived < 50 || heard.TotalAudioEnergy <= 0)
        {
            Assert.Fail($"the softphone hears the popup: {heard}\nsoftphone transport:\n{await softphone.TransportAsync()}\nPBX log, last lines:\n{RecentPbxLog.Instance.Tail()}");
        }

        await popup.ClickAsync("#hangup");
        await softphone.WaitCallStateAsync("ended", Step);
        var record = await CallRecords.WaitForAsync(Host, r => r.From == caller.Account && r.Destination == callee.Number);
        Assert.Equal("hangup", record.Reason);
    }

    private Task<BaresipAgent> StartPhoneAsync(TestAccount account, SipTransport transport, AnswerMode answerMode, double toneHz = 1000,
        string codecs = "PCMU/8000/1,PCMA/8000/1") =>
        StartPhoneAsync(Host, account, transport, answerMode, toneHz, codecs);

    /// <summary>A baresip registered as <paramref name="account"/> (its SIP password is <c>sip-</c> + the web password, as the fixture makes it).</summary>
    internal static async Task<BaresipAgent> StartPhoneAsync(PbxHost host, TestAccount account, SipTransport transport, AnswerMode answerMode,
        double toneHz = 1000, string codecs = "PCMU/8000/1,PCMA/8000/1")
    {
        var port = transport == SipTransport.Tcp ? host.SipTcpPort : host.SipUdpPort;
        var agent = await BaresipAgent.StartAsync(new BaresipOptions
        {
            User = account.Number,
            Domain = BrowserFixture.Domain,
            Registrar = "127.0.0.1:" + port!.Value.ToString(CultureInfo.InvariantCulture),
            Transport = transport,
            Password = "sip-" + account.Password,
            AnswerMode = answerMode,
            ToneHz = toneHz,
            AudioCodecs = codecs,
        }, CancellationToken.None);
        try
        {
            await agent.WaitRegisteredAsync();
            return agent;
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
    }

    /// <summary>baresip's DTMF start for <paramref name="digit"/>; on a timeout, says what the page's status showed after the key.</summary>
    internal static async Task<BaresipEvent> WaitForDtmfAsync(BaresipAgent phone, char digit, string statusAfterKey)
    {
        try
        {
            return await phone.WaitForEventAsync(e => e.Type == BaresipEvent.CallDtmfStart, Step);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"DTMF '{digit}' never reached baresip; the popup's status after the key was \"{statusAfterKey}\" " +
                "(a digit in it means the page's DTMF sender took the key).", e);
        }
    }
}
