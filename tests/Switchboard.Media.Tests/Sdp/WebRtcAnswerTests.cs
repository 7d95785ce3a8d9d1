using System.Net;
using Switchboard.Media.Sdp;

namespace Switchboard.Media.Tests.Sdp;

public class WebRtcAnswerTests
{
    private const string OurFingerprint = SdpFixtures.OurFingerprint;
    private const string OurCandidate = SdpFixtures.OurCandidate;

    private static SdpSessionDescription Parse(string text) => SdpFixtures.Parse(text);

    private static WebRtcAnswerOptions Options(params SdpCodec[] preferences) =>
        new(SdpFixtures.OurLocal, preferences.Length == 0 ? [SdpCodec.Pcmu, SdpCodec.Pcma] : preferences);

    private static SdpAnswer Answer(string offer, WebRtcAnswerOptions options)
    {
        Assert.True(WebRtcAnswer.TryCreate(Parse(offer), options, out SdpAnswer? answer, out SdpOfferError error), error.ToString());
        return answer;
    }

    [Fact]
    public void Answer_to_chromium_offer_has_every_required_attribute_after_a_text_round_trip()
    {
        SdpAnswer answer = Answer(SdpFixtures.ChromiumAudioOffer, Options(SdpCodec.Pcmu));
        string text = answer.ToText();
        SdpSessionDescription parsed = Parse(text);

        Assert.True(parsed.IceLite);
        Assert.Equal(["0"], parsed.BundleMids);
        Assert.Equal(new SdpOrigin("-", "42", "1", "IN", "IP4", "203.0.113.7"), parsed.Origin);

        SdpMediaDescription audio = Assert.Single(parsed.Media);
        Assert.Equal("audio", audio.Media);
        Assert.Equal(40000, audio.Port);
        Assert.Equal("UDP/TLS/RTP/SAVPF", audio.Protocol);
        Assert.Equal(["0", "126"], audio.Formats);
        Assert.Equal(new SdpRtpMap(0, "PCMU", 8000), audio.FindRtpMap(0));
        Assert.Equal(new SdpRtpMap(126, "telephone-event", 8000), audio.FindRtpMap(126));
        Assert.Equal(new SdpConnection("IN", "IP4", "203.0.113.7"), audio.Connection);
        Assert.Equal("0", audio.Mid);
        Assert.Equal(SdpSetup.Passive, audio.Setup);
        Assert.Equal("swb1", audio.IceUfrag);
        Assert.Equal("0123456789abcdefghijklmn", audio.IcePwd);
        Assert.Equal(OurFingerprint, Assert.Single(audio.Fingerprints).ToString());
        Assert.Equal(OurCandidate["candidate:".Length..], Assert.Single(audio.Candidates));
        Assert.True(audio.EndOfCandidates);
        Assert.True(audio.RtcpMux);
        Assert.True(audio.RtcpRsize);
        Assert.Equal(SdpDirection.SendRecv, audio.Direction);
        Assert.Empty(audio.IceOptions);

        Assert.Contains("a=ice-lite\r\n", text, StringComparison.Ordinal);
        Assert.Contains("a=setup:passive\r\n", text, StringComparison.Ordinal);
        Assert.Contains("m=audio 40000 UDP/TLS/RTP/SAVPF 0 126\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Negotiated_audio_reports_what_the_relay_needs()
    {
        SdpAnswer answer = Answer(SdpFixtures.ChromiumAudioOffer, Options(SdpCodec.Pcmu));
        SdpNegotiatedAudio audio = answer.Audio;
        Assert.Equal(new SdpPayloadFormat(0, SdpCodec.Pcmu), audio.Codec);
        Assert.Equal(new SdpPayloadFormat(126, SdpCodec.TelephoneEvent8000), audio.TelephoneEvent);
        Assert.Equal("0", audio.Mid);
        Assert.Equal("Wm7x", audio.RemoteIceUfrag);
        Assert.Equal("Ql8+0t9vh1zC3kX0yQ2sD5Jp", audio.RemoteIcePwd);
        Assert.Equal(SdpFixtures.ChromiumFingerprint, Assert.Single(audio.RemoteFingerprints).ToString());
        Assert.Equal(SdpDirection.SendRecv, audio.Direction);
    }

    [Fact]
    public void Opus_preferred_when_both_legs_can_keeps_telephone_event_48000_and_opus_fmtp()
    {
        SdpAnswer answer = Answer(SdpFixtures.ChromiumAudioOffer, Options(SdpCodec.Opus, SdpCodec.Pcmu));
        SdpMediaDescription audio = Parse(answer.ToText()).Media[0];
        Assert.Equal(["111", "110"], audio.Formats);
        Assert.Equal(new SdpRtpMap(111, "opus", 48000, 2), audio.FindRtpMap(111));
        Assert.Equal("minptime=10;useinbandfec=1", audio.FindFmtp(111)?.Parameters);
        Assert.Equal(new SdpRtpMap(110, "telephone-event", 48000), audio.FindRtpMap(110));
    }

    [Fact]
    public void Our_preference_order_wins_over_the_offer_order()
    {
        SdpAnswer answer = Answer(SdpFixtures.ChromiumAudioOffer, Options(SdpCodec.Pcma, SdpCodec.Pcmu));
        Assert.Equal(8, answer.Audio.Codec.PayloadType);
    }

    [Fact]
    public void Telephone_event_can_be_left_out()
    {
        SdpAnswer answer = Answer(SdpFixtures.ChromiumAudioOffer, Options(SdpCodec.Pcmu) with { IncludeTelephoneEvent = false });
        Assert.Null(answer.Audio.TelephoneEvent);
        Assert.Equal(["0"], answer.Description.Media[0].Formats);
    }

    [Fact]
    public void Video_and_data_sections_are_rejected_with_port_zero_and_left_out_of_bundle()
    {
        SdpAnswer answer = Answer(SdpFixtures.ChromiumAudioVideoDataOffer, Options());
        SdpSessionDescription parsed = Parse(answer.ToText());
        Assert.Equal(["0"], parsed.BundleMids);
        Assert.Equal(3, parsed.Media.Count);
        Assert.Equal(40000, parsed.Media[0].Port);

        Assert.Equal("video", parsed.Media[1].Media);
        Assert.Equal(0, parsed.Media[1].Port);
        Assert.Equal("UDP/TLS/RTP/SAVPF", parsed.Media[1].Protocol);
        Assert.Equal("1", parsed.Media[1].Mid);
        Assert.Equal(["96"], parsed.Media[1].Formats);

        Assert.Equal("application", parsed.Media[2].Media);
        Assert.Equal(0, parsed.Media[2].Port);
        Assert.Equal("UDP/DTLS/SCTP", parsed.Media[2].Protocol);
        Assert.Equal(["webrtc-datachannel"], parsed.Media[2].Formats);
        Assert.Equal("2", parsed.Media[2].Mid);

        // No session-level c=, so every section carries one (RFC 8866 section 5.7).
        Assert.Null(parsed.Connection);
        Assert.All(parsed.Media, m => Assert.NotNull(m.Connection));
    }

    [Fact]
    public void Ipv6_address_ssrc_and_msid_lines()
    {
        SdpAnswer answer = Answer(SdpFixtures.ChromiumAudioOffer, Options() with { Address = IPAddress.Parse("2001:db8::7"), Ssrc = 1234, Cname = "switchboard", Msid = "pbx audio0" });
        SdpSessionDescription parsed = Parse(answer.ToText());
        Assert.Equal(new SdpConnection("IN", "IP6", "2001:db8::7"), parsed.Media[0].Connection);
        Assert.Equal("IP6", parsed.Origin.AddressType);
        Assert.Equal(["1234 cname:switchboard"], parsed.Media[0].SsrcLines);
        Assert.Contains(new SdpAttributeLine("msid", "pbx audio0"), parsed.Media[0].OtherAttributes);
    }

    [Theory]
    [InlineData(SdpDirection.SendRecv, SdpDirection.SendRecv)]
    [InlineData(SdpDirection.SendOnly, SdpDirection.RecvOnly)]
    [InlineData(SdpDirection.RecvOnly, SdpDirection.SendOnly)]
    [InlineData(SdpDirection.Inactive, SdpDirection.Inactive)]
    public void Direction_answers_the_offer(SdpDirection offered, SdpDirection answered)
    {
        SdpSessionDescription offer = Parse(SdpFixtures.ChromiumAudioOffer);
        offer.Media[0].Direction = offered;
        Assert.True(WebRtcAnswer.TryCreate(offer, Options(), out SdpAnswer? answer, out _));
        Assert.Equal(answered, answer.Description.Media[0].Direction);
    }

    [Fact]
    public void Session_level_fingerprint_and_credentials_are_accepted()
    {
        SdpSessionDescription offer = Parse(SdpFixtures.ChromiumAudioOffer);
        SdpMediaDescription audio = offer.Media[0];
        offer.Fingerprints.AddRange(audio.Fingerprints);
        offer.IceUfrag = audio.IceUfrag;
        offer.IcePwd = audio.IcePwd;
        audio.Fingerprints.Clear();
        audio.IceUfrag = null;
        audio.IcePwd = null;
        Assert.Equal(SdpOfferError.None, WebRtcAnswer.Validate(offer, [SdpCodec.Pcmu]));
    }

    public static TheoryData<string, SdpOfferError> BrokenOffers => new()
    {
        { "no-audio", SdpOfferError.NoAudioSection },
        { "audio-port-0", SdpOfferError.NoAudioSection },
        { "plain-rtp", SdpOfferError.UnsupportedProtocol },
        { "no-fingerprint", SdpOfferError.NoFingerprint },
        { "no-ufrag", SdpOfferError.NoIceCredentials },
        { "no-pwd", SdpOfferError.NoIceCredentials },
        { "setup-passive", SdpOfferError.UnsupportedSetup },
        { "no-setup", SdpOfferError.UnsupportedSetup },
        { "no-rtcp-mux", SdpOfferError.NoRtcpMux },
        { "only-g729", SdpOfferError.NoSharedCodec },
    };

    [Theory]
    [MemberData(nameof(BrokenOffers))]
    public void Invalid_offers_give_typed_errors(string breakage, SdpOfferError expected)
    {
        SdpSessionDescription offer = Parse(SdpFixtures.ChromiumAudioOffer);
        SdpMediaDescription audio = offer.Media[0];
        switch (breakage)
        {
            case "no-audio": audio.Media = "video"; break;
            case "audio-port-0": audio.Port = 0; break;
            case "plain-rtp": audio.Protocol = "RTP/AVP"; break;
            case "no-fingerprint": audio.Fingerprints.Clear(); break;
            case "no-ufrag": audio.IceUfrag = null; break;
            case "no-pwd": audio.IcePwd = null; break;
            case "setup-passive": audio.Setup = SdpSetup.Passive; break;
            case "no-setup": audio.Setup = null; break;
            case "no-rtcp-mux": audio.RtcpMux = false; break;
            case "only-g729":
                audio.Formats.Clear();
                audio.Formats.Add("18");
                break;
        }

        Assert.Equal(expected, WebRtcAnswer.Validate(offer, [SdpCodec.Pcmu, SdpCodec.Pcma, SdpCodec.Opus]));
        Assert.False(WebRtcAnswer.TryCreate(offer, Options(SdpCodec.Pcmu, SdpCodec.Pcma, SdpCodec.Opus), out SdpAnswer? answer, out SdpOfferError error));
        Assert.Null(answer);
        Assert.Equal(expected, error);
        Assert.Equal(488, error.ToSipStatusCode());
    }

    [Fact]
    public void No_shared_codec_when_the_preference_list_has_nothing_offered()
    {
        Assert.Equal(SdpOfferError.NoSharedCodec, WebRtcAnswer.Validate(Parse(SdpFixtures.ChromiumAudioOffer), [new SdpCodec("G729", 8000)]));
    }

    [Fact]
    public void Candidate_lines_are_accepted_in_every_prefix_form()
    {
        SdpAnswer answer = Answer(SdpFixtures.ChromiumAudioOffer, Options() with
        {
            CandidateLines =
            [
                "a=candidate:1 1 udp 2130706431 203.0.113.7 40000 typ host",
                "candidate:2 1 udp 2130706175 2001:db8::7 40000 typ host",
                "3 1 udp 2130705919 10.0.0.7 40000 typ host",
                "a=end-of-candidates",
            ],
        });
        SdpMediaDescription audio = Parse(answer.ToText()).Media[0];
        Assert.Equal(["1", "2", "3"], audio.Candidates.Select(c => c.Split(' ')[0]));
        Assert.True(audio.EndOfCandidates);
    }

    [Fact]
    public void Non_candidate_lines_are_a_programmer_error()
    {
        Assert.Throws<ArgumentException>(() => WebRtcAnswer.TryCreate(Parse(SdpFixtures.ChromiumAudioOffer), Options() with { CandidateLines = ["a=ice-ufrag:abcd"] }, out _, out _));
    }

    [Fact]
    public void Fingerprint_input_must_have_hash_and_value()
    {
        Assert.Throws<ArgumentException>(() => WebRtcAnswer.TryCreate(Parse(SdpFixtures.ChromiumAudioOffer), Options() with { Fingerprint = "AA:BB" }, out _, out _));
    }
}
