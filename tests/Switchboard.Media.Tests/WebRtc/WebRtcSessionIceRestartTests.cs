using System.Net;
using System.Text.RegularExpressions;
using Switchboard.Media.Dtls;
using Switchboard.Media.Stun;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.WebRtc;

/// <summary>
/// The browser's network changes mid-call and it restarts ICE with a new offer (RFC 8445 section 9): our
/// answer carries new ICE credentials and the same DTLS terms, and media moves to the newly nominated
/// address with the SRTP keys it had (no second handshake).
/// </summary>
public sealed class WebRtcSessionIceRestartTests
{
    private static readonly TransportAddress NewPath = TransportAddress.Create(IPAddress.Parse("127.0.0.9"), 51000);

    [Fact]
    public async Task Media_moves_to_the_newly_nominated_address_with_the_same_srtp_keys()
    {
        await using var call = await InMemoryCall.StartAsync(seed: 21, loss: 0);
        await call.ConnectAsync();
        var firstAnswer = call.Server.AnswerSdp;
        EchoAudio(call, 10);
        Assert.Equal(10, call.EchoesTo.GetValueOrDefault(InMemoryCall.BrowserAddress));

        var offer = InMemoryCall.Offer(call.ClientFingerprint, ufrag: "brw2", pwd: "anotherbrowserpassword12");
        Assert.True(call.RestartIce(NewPath, offer, out var answer, out var error), error.ToString());

        Assert.NotEqual(Field(firstAnswer, "ice-ufrag"), Field(answer, "ice-ufrag"));
        Assert.NotEqual(Field(firstAnswer, "ice-pwd"), Field(answer, "ice-pwd"));
        Assert.Equal(Field(firstAnswer, "fingerprint"), Field(answer, "fingerprint"));
        Assert.Contains("a=setup:passive", answer, StringComparison.Ordinal);
        Assert.Contains("a=ice-lite", answer, StringComparison.Ordinal);
        Assert.Equal(Field(firstAnswer, "ssrc"), Field(answer, "ssrc"));
        Assert.Equal(Regex.Match(firstAnswer, "m=audio \\d+ \\S+ (\\d+)").Groups[1].Value, Regex.Match(answer, "m=audio \\d+ \\S+ (\\d+)").Groups[1].Value);
        Assert.Equal(OriginVersion(firstAnswer) + 1, OriginVersion(answer));
        Assert.Equal(answer, call.Server.AnswerSdp);

        // The new path's nomination moves the media; the browser's same SRTP context keeps working.
        call.Run(TimeSpan.FromMilliseconds(100));
        EchoAudio(call, 10);
        Assert.Equal(10, call.EchoesTo.GetValueOrDefault(NewPath));
        Assert.Equal(10, call.EchoesTo.GetValueOrDefault(InMemoryCall.BrowserAddress));
        Assert.Equal(0, call.Server.Counters.SrtpFailures);
        Assert.Equal(0, call.ClientSrtpFailures);

        // The old address is no longer the media peer: what still comes from it is dropped.
        var dropped = call.Server.Counters.DroppedDatagrams;
        call.SendAudio(from: InMemoryCall.BrowserAddress);
        call.Run(InMemoryCall.Step);
        Assert.True(call.Server.Counters.DroppedDatagrams > dropped);
        Assert.Equal(10, call.EchoesTo.GetValueOrDefault(InMemoryCall.BrowserAddress));

        // Consent now runs on the new pair under the new credentials.
        call.Run(TimeSpan.FromSeconds(40));
        Assert.False(call.Server.Ended);
    }

    [Fact]
    public async Task A_re_offer_that_is_no_ice_restart_or_changes_dtls_or_codec_is_refused_and_the_call_goes_on()
    {
        await using var call = await InMemoryCall.StartAsync(seed: 22, loss: 0);
        await call.ConnectAsync();
        var answerBefore = call.Server.AnswerSdp;
        var otherCertificate = DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1));

        Refused(call, InMemoryCall.Offer(call.ClientFingerprint), WebRtcLegError.NotAnIceRestart);
        Refused(call, InMemoryCall.Offer(call.ClientFingerprint, ufrag: "brw2"), WebRtcLegError.NotAnIceRestart);
        Refused(call, InMemoryCall.Offer(otherCertificate.Fingerprint, ufrag: "brw2", pwd: "anotherbrowserpassword12"), WebRtcLegError.FingerprintChanged);
        Refused(call, InMemoryCall.Offer(call.ClientFingerprint, ufrag: "brw2", pwd: "anotherbrowserpassword12", formats: "111 8 126"), WebRtcLegError.CodecChanged);
        Refused(call, "not sdp", WebRtcLegError.UnreadableOffer);

        Assert.Equal(answerBefore, call.Server.AnswerSdp);
        EchoAudio(call, 5);
        call.Run(TimeSpan.FromSeconds(40));
        Assert.False(call.Server.Ended);
        Assert.Equal(5, call.EchoesTo.GetValueOrDefault(InMemoryCall.BrowserAddress));
    }

    private static void Refused(InMemoryCall call, string offer, WebRtcLegError expected)
    {
        Assert.False(call.RestartIce(NewPath, offer, out var answer, out var error));
        Assert.Equal(expected, error);
        Assert.Equal("", answer);
        Assert.Equal(InMemoryCall.BrowserAddress, call.BrowserAt);
    }

    private static void EchoAudio(InMemoryCall call, int packets)
    {
        for (var i = 0; i < packets; i++)
        {
            call.SendAudio();
            call.Run(InMemoryCall.Step);
        }

        call.Run(TimeSpan.FromMilliseconds(100));
    }

    private static string Field(string sdp, string attribute) => Regex.Match(sdp, "a=" + attribute + ":([^\\r\\n]+)").Groups[1].Value;

    private static ulong OriginVersion(string sdp) => ulong.Parse(Regex.Match(sdp, "o=\\S+ \\d+ (\\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
}
