using System.Net;
using Switchboard.Media.Sdp;

namespace Switchboard.Media.Tests.Sdp;

public sealed class SipMediaSdpTests
{
    private static readonly SdpCodec[] Codecs = [SdpCodec.Pcmu, SdpCodec.Pcma];

    [Fact]
    public void Our_offer_to_a_phone_carries_g711_telephone_event_101_and_rtcp_on_the_same_port()
    {
        var text = SdpWriter.Write(SipMediaSdp.CreateOffer(IPAddress.Parse("192.0.2.10"), 40002, Codecs, sessionId: 42));

        Assert.Contains("m=audio 40002 RTP/AVP 0 8 101\r\n", text, StringComparison.Ordinal);
        Assert.Contains("c=IN IP4 192.0.2.10\r\n", text, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:101 telephone-event/8000\r\n", text, StringComparison.Ordinal);
        Assert.Contains("a=fmtp:101 0-16\r\n", text, StringComparison.Ordinal);
        Assert.Contains("a=rtcp-mux\r\n", text, StringComparison.Ordinal);
        Assert.Contains("a=rtcp:40002\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_phones_answer_gives_its_address_codec_and_telephone_event()
    {
        var answer = Parse(
            "v=0", "o=bob 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0",
            "m=audio 30000 RTP/AVP 8 101", "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15", "a=sendrecv");

        Assert.True(SipMediaSdp.TryReadAnswer(answer, Codecs, out var media));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 30000), media.Rtp);
        Assert.Equal(8, media.Audio.Codec.PayloadType);
        Assert.Equal(101, media.Audio.TelephoneEvent?.PayloadType);
        Assert.Equal(SdpHoldState.NotHeld, media.Hold);

        // No a=rtcp-mux in the answer: RTCP on the port above its RTP port (RFC 3550 section 11), no a=rtcp.
        Assert.False(media.Audio.RtcpMux);
        Assert.Null(media.Audio.RemoteRtcpPort);
    }

    [Fact]
    public void An_answer_that_keeps_rtcp_mux_or_names_its_rtcp_port_says_so()
    {
        var muxed = Parse(
            "v=0", "o=bob 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0",
            "m=audio 30000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", "a=rtcp-mux", "a=rtcp:30000");
        var apart = Parse(
            "v=0", "o=bob 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0",
            "m=audio 30000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", "a=rtcp:30011");

        Assert.True(SipMediaSdp.TryReadAnswer(muxed, Codecs, out var mux));
        Assert.True(mux.Audio.RtcpMux);
        Assert.True(SipMediaSdp.TryReadAnswer(apart, Codecs, out var separate));
        Assert.False(separate.Audio.RtcpMux);
        Assert.Equal(30011, separate.Audio.RemoteRtcpPort);
    }

    [Fact]
    public void An_answer_without_telephone_event_or_with_a_legacy_hold_is_read_as_such()
    {
        var answer = Parse(
            "v=0", "o=old 1 2 IN IP4 198.51.100.8", "s=-", "c=IN IP4 0.0.0.0", "t=0 0",
            "m=audio 30002 RTP/AVP 0", "a=rtpmap:0 PCMU/8000");

        Assert.True(SipMediaSdp.TryReadAnswer(answer, Codecs, out var media));
        Assert.Null(media.Audio.TelephoneEvent);
        Assert.Equal(SdpHoldState.ZeroAddress, media.Hold);
    }

    [Fact]
    public void An_answer_that_rejects_audio_or_picks_a_codec_we_did_not_offer_is_refused()
    {
        var rejected = Parse("v=0", "o=- 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0", "m=audio 0 RTP/AVP 0");
        var foreign = Parse("v=0", "o=- 1 1 IN IP4 198.51.100.7", "s=-", "c=IN IP4 198.51.100.7", "t=0 0", "m=audio 30000 RTP/AVP 18", "a=rtpmap:18 G729/8000");

        Assert.False(SipMediaSdp.TryReadAnswer(rejected, Codecs, out _));
        Assert.False(SipMediaSdp.TryReadAnswer(foreign, Codecs, out _));
    }

    [Fact]
    public void A_phones_offer_answered_by_SipSdp_gives_where_to_send()
    {
        var offer = Parse(
            "v=0", "o=alice 5 5 IN IP4 203.0.113.5", "s=-", "c=IN IP4 203.0.113.5", "t=0 0",
            "m=audio 49170 RTP/AVP 0 101", "a=rtpmap:101 telephone-event/8000", "a=sendonly");
        Assert.True(SipSdp.TryCreateAnswer(offer, new SipAnswerOptions { Address = IPAddress.Loopback, Port = 40000 }, out var answer, out _));

        Assert.True(SipMediaSdp.TryReadOffer(offer, answer, out var media));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.5"), 49170), media.Rtp);
        Assert.Equal(101, media.Audio.TelephoneEvent?.PayloadType);
        Assert.Equal(SdpHoldState.SendOnly, media.Hold);
    }

    private static SdpSessionDescription Parse(params string[] lines)
    {
        Assert.True(SdpParser.TryParse(string.Join("\r\n", lines) + "\r\n", out var description, out _));
        return description;
    }
}
