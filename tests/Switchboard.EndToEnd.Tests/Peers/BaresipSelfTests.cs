namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// Two baresip agents calling each other directly, no PBX: proves the harness (start-up on loopback,
/// control socket, events, DTMF, recordings, busy) before the PBX tests rely on it.
/// </summary>
public sealed class BaresipSelfTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Direct_call_carries_both_tones_and_dtmf_then_hangs_up()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var a = await BaresipAgent.StartAsync(new BaresipOptions { User = "a", ToneHz = 440 }, test.Token);
        await using var b = await BaresipAgent.StartAsync(new BaresipOptions { User = "b", ToneHz = 1000 }, test.Token);

        await a.DialAsync(b.Uri, test.Token);
        await a.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await b.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await Task.Delay(TimeSpan.FromSeconds(2), test.Token); // audio flowing both ways

        await a.SendDtmfAsync("12#", test.Token);
        var keys = new List<string?>();
        for (var i = 0; i < 3; i++) keys.Add((await b.WaitForEventAsync(BaresipEvent.CallDtmfStart, Step)).Param);
        Assert.Equal(["1", "2", "#"], keys);

        await a.HangupAsync(test.Token);
        await a.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        var closedAtB = await b.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        Assert.Null(closedAtB.StatusCode); // a BYE, not a failure status

        var atB = await b.RecordingsAsync();
        var atA = await a.RecordingsAsync();
        AssertTone(atB.Received, 440, "B received A's tone");
        AssertTone(atA.Received, 1000, "A received B's tone");
        AssertTone(atA.Sent, 440, "A sent its own tone");
    }

    [Fact]
    public Task Hangup_on_a_ringing_call_rejects_it_with_486() =>
        WithRingingCallAsync(async (a, b, ct) =>
        {
            await b.HangupAsync(ct);

            var closed = await a.WaitForEventAsync(BaresipEvent.CallClosed, Step);
            Assert.Equal(486, closed.StatusCode);
            Assert.DoesNotContain(a.Control.Events, e => e.Type == BaresipEvent.CallEstablished);
        });

    [Fact]
    public Task Manual_answer_mode_rings_until_accepted() =>
        WithRingingCallAsync(async (a, b, ct) =>
        {
            await b.AcceptAsync(ct);

            await a.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
            await b.HangupAsync(ct);
            var closed = await a.WaitForEventAsync(BaresipEvent.CallClosed, Step);
            Assert.Null(closed.StatusCode);
        });

    [Fact]
    public async Task No_common_codec_rejects_the_call_with_488()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await using var a = await BaresipAgent.StartAsync(new BaresipOptions { User = "a", AudioCodecs = "PCMU/8000/1" }, test.Token);
        await using var b = await BaresipAgent.StartAsync(new BaresipOptions { User = "b", AudioCodecs = "PCMA/8000/1" }, test.Token);

        await a.DialAsync(b.Uri, test.Token);

        Assert.Equal(488, (await a.WaitForEventAsync(BaresipEvent.CallClosed, Step)).StatusCode);
    }

    [Fact]
    public async Task Direct_call_over_tcp_is_established_and_ended()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await using var a = await BaresipAgent.StartAsync(new BaresipOptions { User = "a", Transport = SipTransport.Tcp }, test.Token);
        await using var b = await BaresipAgent.StartAsync(new BaresipOptions { User = "b", Transport = SipTransport.Tcp }, test.Token);

        await a.DialAsync(b.Uri, test.Token);
        await b.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await b.HangupAsync(test.Token);

        Assert.Null((await a.WaitForEventAsync(BaresipEvent.CallClosed, Step)).StatusCode);
        Assert.EndsWith(";transport=tcp", b.Uri, StringComparison.Ordinal);
    }

    /// <summary>A calls B (answer mode manual); <paramref name="then"/> runs while B rings.</summary>
    private static async Task WithRingingCallAsync(Func<BaresipAgent, BaresipAgent, CancellationToken, Task> then)
    {
        using var test = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await using var a = await BaresipAgent.StartAsync(new BaresipOptions { User = "a" }, test.Token);
        await using var b = await BaresipAgent.StartAsync(new BaresipOptions { User = "b", AnswerMode = AnswerMode.Manual }, test.Token);

        await a.DialAsync(b.Uri, test.Token);
        await a.WaitForEventAsync(BaresipEvent.CallRinging, Step);
        await b.WaitForEventAsync(BaresipEvent.CallIncoming, Step);
        await then(a, b, test.Token);
    }

    /// <summary>The recording holds <paramref name="hz"/> as its main tone, loud enough, after the first half second.</summary>
    internal static void AssertTone(WavFile recording, double hz, string what)
    {
        Assert.Equal(8000, recording.SampleRate);
        var audio = recording.From(TimeSpan.FromSeconds(0.5));
        Assert.True(audio.Length >= 8000, $"{what}: only {audio.Length} samples recorded");
        var share = ToneDetector.PowerShare(audio, recording.SampleRate, hz);
        var rms = ToneDetector.Rms(audio);
        Assert.True(share > 0.5 && rms > 1000, $"{what}: {hz} Hz holds {share:P0} of the power, RMS {rms:0}");
    }
}
