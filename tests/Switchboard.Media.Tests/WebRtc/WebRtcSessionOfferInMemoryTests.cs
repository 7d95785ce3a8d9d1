using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.WebRtc;

/// <summary>
/// We offer, and a browser made of our own blocks answers (a=setup:active, DTLS client, a full ICE
/// agent sending checks with USE-CANDIDATE): the PBX calling a JsSIP softphone. The browser may check
/// and start its handshake before its answer reaches us; both must still end connected.
/// </summary>
public sealed class WebRtcSessionOfferInMemoryTests
{
    private static readonly TimeSpan Step = InMemoryCall.Step;

    [Fact]
    public async Task Answer_first_then_ice_dtls_srtp_both_ways_and_dtmf()
    {
        await using var call = InMemoryCall.StartOffer(seed: 21, loss: 0);
        Assert.True(call.Server.ApplyAnswer(call.BrowserAnswer(), out var error), error.ToString());
        Assert.Equal(WebRtcLegError.None, error);
        Assert.Equal(0, call.Server.Audio.Codec.PayloadType);
        Assert.Equal(101, call.Server.Audio.TelephoneEvent?.PayloadType);
        Assert.Equal("brws", call.Server.Audio.RemoteIceUfrag);

        await call.ConnectAsync();
        for (var i = 0; i < 50; i++)
        {
            call.SendAudio();
            call.Run(Step);
        }

        call.Run(TimeSpan.FromMilliseconds(200));
        Assert.InRange(call.EchoesReceived, 40, 50);
        Assert.Equal(0, call.ClientSrtpFailures);
        Assert.Equal(0, call.Server.Counters.SrtpFailures);

        foreach (var digit in "5*")
        {
            call.SendDigit(digit, TimeSpan.FromMilliseconds(120));
            call.Run(TimeSpan.FromMilliseconds(300));
        }

        var digits = call.Events.Where(e => e.Kind == WebRtcLegEventKind.Dtmf).Select(e => e.Digit.Symbol);
        Assert.Equal("5*", string.Concat(digits));
    }

    [Fact]
    public async Task Checks_before_the_answer_are_answered_and_the_answer_completes_the_call()
    {
        await using var call = InMemoryCall.StartOffer(seed: 22, loss: 0);
        call.Network.Lossy = false;

        // The browser set our offer and its answer and checks at once; its 200 is still on the way.
        call.Run(TimeSpan.FromMilliseconds(500));
        Assert.True(call.CheckResponsesReceived > 0, "checks before the answer get responses");
        Assert.False(call.Server.IsNegotiated);
        Assert.DoesNotContain(call.Events, e => e.Kind is WebRtcLegEventKind.ConsentLost or WebRtcLegEventKind.TransportFailed);

        Assert.True(call.Server.PostAnswer(call.BrowserAnswer(), out var error), error.ToString());
        await call.ConnectAsync();
        call.SendAudio();
        call.Run(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, call.EchoesReceived);
    }

    [Fact]
    public async Task A_client_hello_before_the_answer_completes_once_the_answer_is_applied()
    {
        await using var call = InMemoryCall.StartOffer(seed: 23, loss: 0);
        call.Network.Lossy = false;
        call.StartClientDtls();

        // ICE pair valid, ClientHello in, our ServerHello flight out, and the browser's Certificate
        // flight in: the DTLS server now holds the certificate check for the answer's fingerprint.
        await call.RunUntilAsync(() => call.DtlsReceived > 0, TimeSpan.FromSeconds(10), "the server's first flight");
        var held = System.Diagnostics.Stopwatch.StartNew();
        await call.RunUntilAsync(() => held.Elapsed > TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5), "a pause");
        Assert.DoesNotContain(call.Events, e => e.Kind is WebRtcLegEventKind.MediaConnected or WebRtcLegEventKind.TransportFailed);

        Assert.True(call.Server.PostAnswer(call.BrowserAnswer(), out var error), error.ToString());
        await call.ConnectAsync();
        Assert.Contains(call.Events, e => e.Kind == WebRtcLegEventKind.MediaConnected);
    }

    [Fact]
    public async Task A_passive_answer_is_refused_because_the_pbx_is_always_the_dtls_server()
    {
        await using var call = InMemoryCall.StartOffer(seed: 24, loss: 0);

        Assert.False(call.Server.ApplyAnswer(call.BrowserAnswer(setup: "passive"), out var error));
        Assert.Equal(WebRtcLegError.AnswerSetupNotActive, error);
        Assert.False(call.Server.ApplyAnswer(call.BrowserAnswer(setup: "actpass"), out error));
        Assert.Equal(WebRtcLegError.AnswerSetupNotActive, error);
        Assert.False(call.Server.ApplyAnswer("not sdp", out error));
        Assert.Equal(WebRtcLegError.UnreadableAnswer, error);
        Assert.False(call.Server.ApplyAnswer(call.BrowserAnswer().Replace("m=audio 9 UDP/TLS/RTP/SAVPF 0 101", "m=audio 9 UDP/TLS/RTP/SAVPF 9", StringComparison.Ordinal), out error));
        Assert.Equal(WebRtcLegError.UnusableAnswer, error);
        Assert.False(call.Server.IsNegotiated);

        // Refusals leave the offer open; one good answer is taken, a second (a forked INVITE answered twice) is not.
        Assert.True(call.Server.ApplyAnswer(call.BrowserAnswer(), out error));
        Assert.False(call.Server.ApplyAnswer(call.BrowserAnswer(), out error));
        Assert.Equal(WebRtcLegError.AnswerAlreadyApplied, error);
    }

    [Fact]
    public async Task Ringing_does_not_run_the_connect_timeout_but_the_answer_starts_it()
    {
        await using var call = InMemoryCall.StartOffer(seed: 25, loss: 0);
        call.ChecksEnabled = false;

        call.Run(TimeSpan.FromSeconds(45));
        Assert.Empty(call.Events);

        Assert.True(call.Server.ApplyAnswer(call.BrowserAnswer(), out _));
        call.Run(TimeSpan.FromSeconds(31));
        Assert.Contains(call.Events, e => e.Kind == WebRtcLegEventKind.ConsentLost && e.Detail == "ConnectTimeout");
    }

    [Fact]
    public async Task An_offer_never_answered_ends_at_once_when_the_call_is_cancelled()
    {
        var call = InMemoryCall.StartOffer(seed: 26, loss: 0);
        call.Run(TimeSpan.FromSeconds(1));

        await call.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(call.Server.IsNegotiated);
    }
}
