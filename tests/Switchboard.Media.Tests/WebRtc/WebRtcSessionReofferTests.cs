using System.Text.RegularExpressions;
using Switchboard.Media.Dtls;
using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.WebRtc;

/// <summary>
/// A browser softphone's re-offer that only changes the direction (phone.htm's hold over SIP, RFC 3264 section 8.4):
/// answered with our same ICE and DTLS terms and the mirrored direction, the session version raised, and the media
/// going on with the keys it had; anything more than a direction is refused and changes nothing.
/// </summary>
public sealed class WebRtcSessionReofferTests
{
    [Fact]
    public async Task An_answered_browsers_sendonly_is_answered_recvonly_with_the_same_terms_and_media_goes_on()
    {
        await using var call = await InMemoryCall.StartAsync(seed: 31, loss: 0);
        await call.ConnectAsync();
        var first = call.Server.AnswerSdp;

        Assert.True(call.Server.TryAnswerReoffer(Directed(InMemoryCall.Offer(call.ClientFingerprint), "sendonly"), out var hold, out var offered, out var error), error.ToString());
        Assert.Equal(SdpDirection.SendOnly, offered);
        Assert.Contains("a=recvonly", hold, StringComparison.Ordinal);
        AssertSameTerms(first, hold);
        Assert.Equal(OriginVersion(first) + 1, OriginVersion(hold));

        Assert.True(call.Server.TryAnswerReoffer(InMemoryCall.Offer(call.ClientFingerprint), out var resume, out offered, out error), error.ToString());
        Assert.Equal(SdpDirection.SendRecv, offered);
        Assert.Contains("a=sendrecv", resume, StringComparison.Ordinal);
        Assert.Equal(OriginVersion(first) + 2, OriginVersion(resume));

        // Same ICE pair, same DTLS association and SRTP keys: the echo goes on.
        for (var i = 0; i < 10; i++)
        {
            call.SendAudio();
            call.Run(InMemoryCall.Step);
        }

        call.Run(TimeSpan.FromMilliseconds(100));
        Assert.Equal(10, call.EchoesTo.GetValueOrDefault(InMemoryCall.BrowserAddress));
        Assert.Equal(0, call.Server.Counters.SrtpFailures);
    }

    [Fact]
    public async Task A_browser_callees_inactive_reoffer_is_answered_by_the_session_that_made_the_offer()
    {
        await using var call = InMemoryCall.StartOffer(seed: 32, loss: 0);
        Assert.True(call.Server.ApplyAnswer(call.BrowserAnswer(), out var applied), applied.ToString());
        await call.ConnectAsync();
        var ourOffer = call.Server.OfferSdp;

        Assert.True(call.Server.TryAnswerReoffer(Directed(InMemoryCall.Offer(call.ClientFingerprint), "inactive"), out var answer, out var offered, out var error), error.ToString());

        Assert.Equal(SdpDirection.Inactive, offered);
        Assert.Contains("a=inactive", answer, StringComparison.Ordinal);
        Assert.Contains("a=setup:passive", answer, StringComparison.Ordinal);
        Assert.Equal(Field(ourOffer, "ice-ufrag"), Field(answer, "ice-ufrag"));
        Assert.Equal(Field(ourOffer, "fingerprint"), Field(answer, "fingerprint"));
        Assert.Equal(OriginVersion(ourOffer) + 1, OriginVersion(answer));
        Assert.Equal(ourOffer, call.Server.OfferSdp);
    }

    [Fact]
    public async Task A_reoffer_that_restarts_ice_changes_dtls_or_drops_the_codec_is_refused_and_nothing_changes()
    {
        await using var call = await InMemoryCall.StartAsync(seed: 33, loss: 0);
        await call.ConnectAsync();
        var other = DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1));

        Refused(call, InMemoryCall.Offer(call.ClientFingerprint, ufrag: "brw2", pwd: "anotherbrowserpassword12"), WebRtcLegError.NotADirectionChange);
        Refused(call, InMemoryCall.Offer(other.Fingerprint), WebRtcLegError.FingerprintChanged);
        Refused(call, InMemoryCall.Offer(call.ClientFingerprint, formats: "111 8 126"), WebRtcLegError.CodecChanged);
        Refused(call, "not sdp", WebRtcLegError.UnreadableOffer);

        // Nothing moved: the next good re-offer is version + 1 of the first answer.
        Assert.True(call.Server.TryAnswerReoffer(InMemoryCall.Offer(call.ClientFingerprint), out var answer, out _, out _));
        Assert.Equal(OriginVersion(call.Server.AnswerSdp) + 1, OriginVersion(answer));
    }

    private static void Refused(InMemoryCall call, string offer, WebRtcLegError expected)
    {
        Assert.False(call.Server.TryAnswerReoffer(offer, out var answer, out _, out var error));
        Assert.Equal(expected, error);
        Assert.Equal("", answer);
    }

    private static void AssertSameTerms(string first, string next)
    {
        foreach (var attribute in new[] { "ice-ufrag", "ice-pwd", "fingerprint", "ssrc", "setup" })
        {
            Assert.Equal(Field(first, attribute), Field(next, attribute));
        }
    }

    private static string Directed(string offer, string direction) => offer.Replace("a=sendrecv", "a=" + direction, StringComparison.Ordinal);

    private static string Field(string sdp, string attribute) => Regex.Match(sdp, "a=" + attribute + ":([^\\r\\n]+)").Groups[1].Value;

    private static ulong OriginVersion(string sdp) => ulong.Parse(Regex.Match(sdp, "o=\\S+ \\d+ (\\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
}
