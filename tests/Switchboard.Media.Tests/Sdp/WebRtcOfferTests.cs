using Switchboard.Media.Sdp;

namespace Switchboard.Media.Tests.Sdp;

/// <summary>Our offer to a browser softphone, and the reading of its answer.</summary>
public class WebRtcOfferTests
{
    private const string OurFingerprint = SdpFixtures.OurFingerprint;
    private const string OurCandidate = SdpFixtures.OurCandidate;
    private const string BrowserFingerprint = SdpFixtures.ChromiumFingerprint;

    private static WebRtcOfferOptions Options() =>
        new(SdpFixtures.OurLocal with { Ssrc = 1234, Cname = "switchboard", Msid = "switchboard audio" }, WebRtcOffer.FormatsFor([SdpCodec.Pcmu, SdpCodec.Pcma]));

    private static string Answer(string setup = "active", string formats = "0 101", string direction = "sendrecv") =>
        SdpFixtures.BrowserAnswerToOurOffer(BrowserFingerprint, setup, formats, direction);

    /// <summary>
    /// Every line Chromium's setRemoteDescription needs of an offer (RFC 8829 section 5.2.1, RFC 8839,
    /// RFC 8842, RFC 8843), after a text round trip through our parser.
    /// </summary>
    [Fact]
    public void Offer_has_every_attribute_a_browser_requires_after_a_text_round_trip()
    {
        string text = SdpWriter.Write(WebRtcOffer.Create(Options()));
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        SdpSessionDescription offer = SdpFixtures.Parse(text);

        Assert.True(offer.IceLite);
        Assert.Equal(["0"], offer.BundleMids);
        Assert.Equal(new SdpOrigin("-", "42", "1", "IN", "IP4", "203.0.113.7"), offer.Origin);
        Assert.Contains(offer.OtherAttributes, a => a.Name == "msid-semantic" && a.Value!.Trim() == "WMS switchboard");

        SdpMediaDescription audio = Assert.Single(offer.Media);
        Assert.Equal("audio", audio.Media);
        Assert.Equal(40000, audio.Port);
        Assert.Equal("UDP/TLS/RTP/SAVPF", audio.Protocol);
        Assert.Equal(["0", "8", "101"], audio.Formats);
        Assert.Equal(new SdpRtpMap(0, "PCMU", 8000), audio.FindRtpMap(0));
        Assert.Equal(new SdpRtpMap(8, "PCMA", 8000), audio.FindRtpMap(8));
        Assert.Equal(new SdpRtpMap(101, "telephone-event", 8000), audio.FindRtpMap(101));
        Assert.Equal("0-16", audio.FindFmtp(101)?.Parameters);
        Assert.Equal(new SdpConnection("IN", "IP4", "203.0.113.7"), audio.Connection);
        Assert.Equal("swb1", audio.IceUfrag);
        Assert.Equal("0123456789abcdefghijklmn", audio.IcePwd);
        Assert.Equal(OurFingerprint, Assert.Single(audio.Fingerprints).ToString());

        // RFC 5763 section 5: the offerer must offer actpass; the browser then answers active.
        Assert.Equal(SdpSetup.ActPass, audio.Setup);
        Assert.Equal("0", audio.Mid);
        Assert.Equal(SdpDirection.SendRecv, audio.Direction);
        Assert.True(audio.RtcpMux);
        Assert.Equal(OurCandidate["candidate:".Length..], Assert.Single(audio.Candidates));
        Assert.True(audio.EndOfCandidates);
        Assert.Equal(["1234 cname:switchboard"], audio.SsrcLines);
        Assert.Contains(audio.OtherAttributes, a => a.Name == "msid" && a.Value == "switchboard audio");

        // Our offer is a WebRTC section our own answerer would take, as a browser would.
        Assert.Equal(SdpOfferError.None, WebRtcAnswer.Validate(offer, [SdpCodec.Pcmu]));
    }

    [Fact]
    public void Formats_follow_the_codec_order_with_static_types_and_telephone_event_per_clock_rate()
    {
        IReadOnlyList<SdpPayloadFormat> g711 = WebRtcOffer.FormatsFor([SdpCodec.Pcma, SdpCodec.Pcmu]);
        Assert.Equal([8, 0, 101], g711.Select(f => f.PayloadType));

        IReadOnlyList<SdpPayloadFormat> withOpus = WebRtcOffer.FormatsFor([SdpCodec.Opus, SdpCodec.Pcmu, new SdpCodec("iLBC", 8000)]);
        Assert.Equal([111, 0, 96, 110, 101], withOpus.Select(f => f.PayloadType));
        Assert.Equal(SdpCodec.TelephoneEvent48000, withOpus[3].Codec);
        Assert.Equal(SdpCodec.TelephoneEvent8000, withOpus[4].Codec);
    }

    [Fact]
    public void Active_answer_gives_its_first_offered_codec_telephone_event_ice_and_fingerprint()
    {
        IReadOnlyList<SdpPayloadFormat> offered = Options().Formats;
        Assert.True(WebRtcOffer.TryReadAnswer(SdpFixtures.Parse(Answer(formats: "8 0 101")), offered, out SdpNegotiatedAudio? audio, out SdpOfferError error), error.ToString());

        Assert.Equal(8, audio.Codec.PayloadType);
        Assert.Equal(SdpCodec.Pcma, audio.Codec.Codec);
        Assert.Equal(101, audio.TelephoneEvent?.PayloadType);
        Assert.Equal("brws", audio.RemoteIceUfrag);
        Assert.Equal("browserpassword1234567890", audio.RemoteIcePwd);
        Assert.Equal(BrowserFingerprint, Assert.Single(audio.RemoteFingerprints).ToString());
        Assert.Equal("0", audio.Mid);
        Assert.Equal(SdpDirection.SendRecv, audio.Direction);
    }

    [Theory]
    [InlineData("recvonly", SdpDirection.SendOnly)]
    [InlineData("sendonly", SdpDirection.RecvOnly)]
    [InlineData("inactive", SdpDirection.Inactive)]
    public void The_answer_direction_is_the_browser_s_so_ours_is_its_mirror(string answered, SdpDirection ours)
    {
        Assert.True(WebRtcOffer.TryReadAnswer(SdpFixtures.Parse(Answer(direction: answered)), Options().Formats, out SdpNegotiatedAudio? audio, out _));
        Assert.Equal(ours, audio.Direction);
    }

    [Theory]
    [InlineData("passive")]
    [InlineData("actpass")]
    [InlineData("holdconn")]
    public void Only_an_active_answer_is_taken_because_we_are_always_the_dtls_server(string setup)
    {
        Assert.False(WebRtcOffer.TryReadAnswer(SdpFixtures.Parse(Answer(setup)), Options().Formats, out _, out SdpOfferError error));
        Assert.Equal(SdpOfferError.UnsupportedSetup, error);
    }

    [Fact]
    public void An_answer_with_none_of_our_payload_types_or_only_telephone_event_is_refused()
    {
        Assert.False(WebRtcOffer.TryReadAnswer(SdpFixtures.Parse(Answer(formats: "101")), Options().Formats, out _, out SdpOfferError error));
        Assert.Equal(SdpOfferError.NoSharedCodec, error);

        // PCMU offered on 0: the same codec on another payload type is not what we offered.
        string moved = Answer(formats: "97").Replace("a=rtpmap:0 PCMU/8000", "a=rtpmap:97 PCMU/8000", StringComparison.Ordinal);
        Assert.False(WebRtcOffer.TryReadAnswer(SdpFixtures.Parse(moved), Options().Formats, out _, out error));
        Assert.Equal(SdpOfferError.NoSharedCodec, error);
    }

    [Fact]
    public void An_answer_without_rtcp_mux_or_fingerprint_is_refused()
    {
        Assert.False(WebRtcOffer.TryReadAnswer(SdpFixtures.Parse(Answer().Replace("a=rtcp-mux\r\n", "", StringComparison.Ordinal)), Options().Formats, out _, out SdpOfferError error));
        Assert.Equal(SdpOfferError.NoRtcpMux, error);
        Assert.False(WebRtcOffer.TryReadAnswer(SdpFixtures.Parse(Answer().Replace("a=fingerprint:" + BrowserFingerprint + "\r\n", "", StringComparison.Ordinal)), Options().Formats, out _, out error));
        Assert.Equal(SdpOfferError.NoFingerprint, error);
    }
}
