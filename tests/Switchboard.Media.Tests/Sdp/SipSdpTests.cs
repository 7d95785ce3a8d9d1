using System.Net;
using Switchboard.Media.Sdp;

namespace Switchboard.Media.Tests.Sdp;

public class SipSdpTests
{
    private static readonly IPAddress Pbx = IPAddress.Parse("192.0.2.10");

    private static SdpSessionDescription Parse(string text)
    {
        Assert.True(SdpParser.TryParse(text, out SdpSessionDescription? sdp, out SdpParseError error), error.ToString());
        return sdp;
    }

    private static SipAnswerOptions AnswerOptions => new() { Address = Pbx, Port = 30000, SessionId = 7 };

    [Fact]
    public void Offer_has_pcmu_pcma_and_telephone_event_101_with_events_0_to_16()
    {
        string text = SdpWriter.Write(SipSdp.CreateOffer(new SipOfferOptions { Address = Pbx, Port = 30000, SessionId = 7, SessionVersion = 1 }));
        Assert.Equal(
            SdpFixtures.Lines(
                "v=0",
                "o=- 7 1 IN IP4 192.0.2.10",
                "s=-",
                "c=IN IP4 192.0.2.10",
                "t=0 0",
                "m=audio 30000 RTP/AVP 0 8 101",
                "a=sendrecv",
                "a=rtpmap:0 PCMU/8000",
                "a=rtpmap:8 PCMA/8000",
                "a=rtpmap:101 telephone-event/8000",
                "a=fmtp:101 0-16",
                "a=ptime:20"),
            text);
        SdpSessionDescription parsed = Parse(text);
        Assert.Equal(SdpHoldState.NotHeld, SipSdp.GetHoldState(parsed));
    }

    [Fact]
    public void Answer_to_linphone_picks_the_first_shared_codec_and_telephone_event_8000()
    {
        Assert.True(SipSdp.TryCreateAnswer(Parse(SdpFixtures.LinphoneOffer), AnswerOptions, out SdpAnswer? answer, out SdpOfferError error), error.ToString());
        Assert.Equal(new SdpPayloadFormat(0, SdpCodec.Pcmu), answer.Audio.Codec);
        Assert.Equal(new SdpPayloadFormat(100, SdpCodec.TelephoneEvent8000), answer.Audio.TelephoneEvent);
        Assert.Equal(new SdpConnection("IN", "IP4", "192.168.0.12"), answer.Audio.RemoteConnection);
        Assert.Equal(7078, answer.Audio.RemotePort);

        SdpSessionDescription parsed = Parse(answer.ToText());
        SdpMediaDescription audio = Assert.Single(parsed.Media);
        Assert.Equal("m=audio 30000 RTP/AVP 0 100", "m=audio 30000 RTP/AVP " + string.Join(' ', audio.Formats));
        Assert.Equal("RTP/AVP", audio.Protocol);
        Assert.Equal(SdpDirection.SendRecv, audio.Direction);
        Assert.Equal(new SdpConnection("IN", "IP4", "192.0.2.10"), parsed.Connection);
        Assert.False(parsed.IceLite);
        Assert.Empty(audio.Fingerprints);
    }

    [Fact]
    public void The_offerers_order_wins_for_sip_phones()
    {
        // baresip offers PCMA before PCMU; we list PCMU first but still take PCMA.
        Assert.True(SipSdp.TryCreateAnswer(Parse(SdpFixtures.BaresipOffer), AnswerOptions, out SdpAnswer? answer, out _));
        Assert.Equal(new SdpPayloadFormat(8, SdpCodec.Pcma), answer.Audio.Codec);
        Assert.Equal(new SdpPayloadFormat(101, SdpCodec.TelephoneEvent8000, "0-15"), answer.Audio.TelephoneEvent);
        Assert.Contains("a=fmtp:101 0-15\r\n", answer.ToText(), StringComparison.Ordinal);
        Assert.Equal(new SdpConnection("IN", "IP4", "10.0.0.20"), answer.Audio.RemoteConnection);
    }

    [Fact]
    public void Rtcp_mux_is_answered_only_when_offered()
    {
        Assert.True(SipSdp.TryCreateAnswer(Parse(SdpFixtures.BaresipOffer), AnswerOptions, out SdpAnswer? plain, out _));
        Assert.False(plain.Description.Media[0].RtcpMux);
        Assert.False(plain.Audio.RtcpMux);
        Assert.Null(plain.Audio.RemoteRtcpPort);

        // The leg sends its first reports where the phone takes RTCP (docs/media.md, "RTCP we send"): the agreement and
        // the phone's a=rtcp port (RFC 3605) are kept with what was negotiated.
        string muxed = SdpFixtures.BaresipOffer.Replace("a=sendrecv\r\n", "a=sendrecv\r\na=rtcp-mux\r\na=rtcp:7000 IN IP4 10.0.0.20\r\n", StringComparison.Ordinal);
        Assert.True(SipSdp.TryCreateAnswer(Parse(muxed), AnswerOptions, out SdpAnswer? answer, out _));
        Assert.Contains("a=rtcp-mux\r\n", answer.ToText(), StringComparison.Ordinal);
        Assert.True(answer.Audio.RtcpMux);
        Assert.Equal(7000, answer.Audio.RemoteRtcpPort);
    }

    [Theory]
    [InlineData("7001", 7001)]
    [InlineData("53020 IN IP4 126.16.64.4", 53020)]
    [InlineData("0", null)]
    [InlineData("65536", null)]
    [InlineData("-5", null)]
    [InlineData("port", null)]
    [InlineData(null, null)]
    public void The_port_of_an_rtcp_attribute_is_read_or_refused(string? value, int? port) =>
        Assert.Equal(port, SdpNegotiatedAudio.ParseRtcpPort(value));

    [Fact]
    public void No_shared_codec_and_no_audio_and_srtp_are_refused()
    {
        Assert.False(SipSdp.TryCreateAnswer(Parse(SdpFixtures.LinphoneOffer), AnswerOptions with { Codecs = [SdpCodec.G722] }, out _, out SdpOfferError error));
        Assert.Equal(SdpOfferError.NoSharedCodec, error);

        SdpSessionDescription videoOnly = Parse(SdpFixtures.BaresipOffer);
        videoOnly.Media[0].Media = "video";
        Assert.False(SipSdp.TryCreateAnswer(videoOnly, AnswerOptions, out _, out error));
        Assert.Equal(SdpOfferError.NoAudioSection, error);

        SdpSessionDescription savp = Parse(SdpFixtures.BaresipOffer);
        savp.Media[0].Protocol = "RTP/SAVP";
        Assert.False(SipSdp.TryCreateAnswer(savp, AnswerOptions, out _, out error));
        Assert.Equal(SdpOfferError.UnsupportedProtocol, error);
    }

    [Fact]
    public void Extra_sections_in_a_phone_offer_are_rejected()
    {
        string offer = SdpFixtures.BaresipOffer + SdpFixtures.Lines("m=video 10464 RTP/AVP 96", "a=rtpmap:96 H264/90000");
        Assert.True(SipSdp.TryCreateAnswer(Parse(offer), AnswerOptions, out SdpAnswer? answer, out _));
        SdpSessionDescription parsed = Parse(answer.ToText());
        Assert.Equal(2, parsed.Media.Count);
        Assert.Equal(0, parsed.Media[1].Port);
        Assert.Equal(["96"], parsed.Media[1].Formats);
    }

    [Fact]
    public void Hold_reinvite_offer_is_sendonly_with_a_new_version_and_the_answer_is_recvonly()
    {
        var hold = new SipOfferOptions { Address = Pbx, Port = 30000, SessionId = 7, SessionVersion = 2, Direction = SdpDirection.SendOnly };
        SdpSessionDescription offer = Parse(SdpWriter.Write(SipSdp.CreateOffer(hold)));
        Assert.Equal("2", offer.Origin.SessionVersion);
        Assert.Equal(SdpHoldState.SendOnly, SipSdp.GetHoldState(offer));

        // The phone answers the hold.
        Assert.True(SipSdp.TryCreateAnswer(offer, AnswerOptions with { Address = IPAddress.Parse("10.0.0.20") }, out SdpAnswer? answer, out _));
        Assert.Equal(SdpDirection.RecvOnly, answer.Audio.Direction);
        Assert.Contains("a=recvonly\r\n", answer.ToText(), StringComparison.Ordinal);

        // Resume: sendrecv again, version 3.
        SdpSessionDescription resume = SipSdp.CreateOffer(hold with { SessionVersion = 3, Direction = SdpDirection.SendRecv });
        Assert.Equal(SdpHoldState.NotHeld, SipSdp.GetHoldState(resume));
    }

    [Fact]
    public void Phone_puts_us_on_hold_with_inactive()
    {
        string text = SdpFixtures.BaresipOffer.Replace("a=sendrecv", "a=inactive", StringComparison.Ordinal);
        SdpSessionDescription offer = Parse(text);
        Assert.Equal(SdpHoldState.Inactive, SipSdp.GetHoldState(offer));
        Assert.True(SipSdp.TryCreateAnswer(offer, AnswerOptions, out SdpAnswer? answer, out _));
        Assert.Equal(SdpDirection.Inactive, answer.Audio.Direction);
    }

    [Fact]
    public void Session_level_sendonly_applies_to_the_media()
    {
        string text = SdpFixtures.LinphoneOffer.Replace("t=0 0\r\n", "t=0 0\r\na=sendonly\r\n", StringComparison.Ordinal);
        Assert.Equal(SdpHoldState.SendOnly, SipSdp.GetHoldState(Parse(text)));
    }

    [Fact]
    public void Legacy_zero_address_hold_is_detected_and_answered_recvonly()
    {
        SdpSessionDescription offer = Parse(SdpFixtures.LegacyHoldOffer);
        Assert.Equal(SdpHoldState.ZeroAddress, SipSdp.GetHoldState(offer));
        Assert.True(SipSdp.TryCreateAnswer(offer, AnswerOptions, out SdpAnswer? answer, out _));
        Assert.Equal(SdpDirection.RecvOnly, answer.Audio.Direction);
    }

    [Fact]
    public void Chromium_zero_address_with_ice_is_not_a_hold()
    {
        Assert.Equal(SdpHoldState.NotHeld, SipSdp.GetHoldState(Parse(SdpFixtures.ChromiumAudioOffer)));
    }

    [Theory]
    [InlineData(SdpDirection.SendRecv, SdpDirection.SendOnly, SdpDirection.SendOnly)]
    [InlineData(SdpDirection.SendRecv, SdpDirection.Inactive, SdpDirection.Inactive)]
    [InlineData(SdpDirection.SendOnly, SdpDirection.SendOnly, SdpDirection.Inactive)]
    [InlineData(SdpDirection.RecvOnly, SdpDirection.RecvOnly, SdpDirection.Inactive)]
    [InlineData(SdpDirection.SendOnly, SdpDirection.SendRecv, SdpDirection.RecvOnly)]
    public void Direction_answer_table(SdpDirection offered, SdpDirection preferred, SdpDirection answered)
    {
        Assert.Equal(answered, SdpDirections.Answer(offered, preferred));
    }
}
