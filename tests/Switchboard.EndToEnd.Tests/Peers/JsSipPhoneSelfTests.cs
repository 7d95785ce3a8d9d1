using Microsoft.Playwright;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// What can be proved of the JsSIP phone without a SIP-over-WebSocket server: the page and JsSIP load
/// from the test output, the UA is built and reports a refused connection cleanly. Also pins the tone
/// of Chromium's fake microphone, which the PBX tests look for in baresip's recordings.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class JsSipPhoneSelfTests(BrowserFixture fixture)
{
    /// <summary>
    /// Chromium's fake capture device (media/audio/fake_audio_input_stream.cc, BeepingSource) plays a
    /// 400 Hz square wave between 0 and full scale (not centred on 0) for about 20 ms every 500 ms,
    /// and exact silence between beeps: recorded here at 8 kHz, a period of 20 samples. Being short
    /// square bursts, only about a quarter of the power lands in the 400 Hz bin (a sine gives ~1).
    /// </summary>
    public const double FakeMicrophoneBeepHz = 400;

    [Fact]
    public async Task Page_builds_a_JsSip_UA_and_reports_a_refused_websocket_cleanly()
    {
        var closedPort = FreePorts.Tcp();
        await using var phone = await JsSipPhone.StartAsync(fixture.Browser, $"ws://127.0.0.1:{closedPort}", "201", BrowserFixture.Domain, "secret");

        await phone.WaitDisconnectedAsync(TimeSpan.FromSeconds(5));

        var state = await phone.StateAsync();
        Assert.False(state.GetProperty("registered").GetBoolean());
        Assert.False(state.GetProperty("connected").GetBoolean());
        Assert.True(state.GetProperty("disconnected").GetProperty("error").GetBoolean(), state.ToString());
        Assert.Equal(0, state.GetProperty("errors").GetArrayLength());
        Assert.Equal(0, (await phone.InboundAudioLevelAsync()).PacketsReceived);
        Assert.True(await phone.Page.EvaluateAsync<bool>("() => typeof JsSIP.UA === 'function' && window.isSecureContext"));
    }

    [Fact]
    public async Task Chromium_fake_microphone_beeps_at_400_Hz()
    {
        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { Permissions = ["microphone"] });
        var page = await context.NewPageAsync();
        await page.RouteAsync("http://localhost/*", route => route.FulfillAsync(new RouteFulfillOptions { ContentType = "text/html", Body = "<!doctype html><title>mic</title>" }));
        await page.GotoAsync("http://localhost/mic.html");

        // 1.5 s of the microphone at 8 kHz through WebAudio, as 16-bit samples.
        var samples = await page.EvaluateAsync<short[]>("""
            async () => {
              const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
              const ctx = new AudioContext({ sampleRate: 8000 });
              const source = ctx.createMediaStreamSource(stream);
              const tap = ctx.createScriptProcessor(1024, 1, 1);
              const out = [];
              tap.onaudioprocess = e => { for (const v of e.inputBuffer.getChannelData(0)) out.push(Math.round(Math.max(-1, Math.min(1, v)) * 32767)); };
              source.connect(tap);
              tap.connect(ctx.destination);
              await new Promise(r => setTimeout(r, 1500));
              await ctx.close();
              stream.getTracks().forEach(t => t.stop());
              return out;
            }
            """);

        Assert.True(samples.Length > 8000, $"only {samples.Length} samples");
        var beep = ToneDetector.PowerShare(samples, 8000, FakeMicrophoneBeepHz);
        var other = ToneDetector.PowerShare(samples, 8000, 1000);
        var strongest = ToneDetector.DominantFrequency(samples, 8000);
        Assert.True(
            strongest == FakeMicrophoneBeepHz && beep > 0.15 && other < 0.02,
            $"{FakeMicrophoneBeepHz} Hz share {beep:P0}, 1000 Hz share {other:P0}, strongest {strongest} Hz, RMS {ToneDetector.Rms(samples):0}");
    }
}
