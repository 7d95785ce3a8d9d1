using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Switchboard.Media.Sdp;

/// <summary>A phone's audio as the relay needs it: where to send, what was agreed, whether it holds.</summary>
public sealed record SipRemoteMedia(IPEndPoint Rtp, SdpNegotiatedAudio Audio, SdpHoldState Hold);

/// <summary>
/// The B2BUA's SDP towards phones and trunks, on top of <see cref="SipSdp"/>: our offer for a plain
/// RTP leg, and the phone's answer or offer read into <see cref="SipRemoteMedia"/>.
/// </summary>
public static class SipMediaSdp
{
    /// <summary>telephone-event/8000, the payload type every phone we met accepts (RFC 4733 section 7.1.1 leaves it dynamic).</summary>
    public const int TelephoneEventPayloadType = 101;

    private const int FirstDynamicPayloadType = 96;

    /// <summary>
    /// Our offer to a phone: the codecs in our order (static payload types where RFC 3551 section 6 has
    /// one), telephone-event/8000 on 101 for events 0-16, and a=rtcp-mux with a=rtcp naming the same
    /// port (RFC 5761 section 5.1.1: a phone that ignores rtcp-mux sends RTCP where a=rtcp says, RFC 3605).
    /// </summary>
    public static SdpSessionDescription CreateOffer(IPAddress address, int port, IReadOnlyList<SdpCodec> codecs, ulong sessionId,
        ulong sessionVersion = 1, SdpDirection direction = SdpDirection.SendRecv)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(codecs);
        var formats = new List<SdpPayloadFormat>(codecs.Count + 1);
        var dynamic = FirstDynamicPayloadType;
        foreach (var codec in codecs)
        {
            formats.Add(new SdpPayloadFormat(StaticPayloadType(codec) ?? dynamic++, codec));
        }

        formats.Add(new SdpPayloadFormat(TelephoneEventPayloadType, SdpCodec.TelephoneEvent8000, "0-16"));
        var offer = SipSdp.CreateOffer(new SipOfferOptions
        {
            Address = address,
            Port = port,
            SessionId = sessionId,
            SessionVersion = sessionVersion,
            Direction = direction,
            Formats = formats,
        });
        var audio = offer.Media[0];
        audio.RtcpMux = true;
        audio.Rtcp = SdpTokens.Text(port);
        return offer;
    }

    /// <summary>
    /// Reads a phone's answer to our offer: the first voice format of its audio section that we
    /// offered (the answerer lists its choice first, RFC 3264 section 6.1), telephone-event at that
    /// clock rate if it kept it, its address and port, and hold. False when it rejected audio or
    /// answered with nothing we offered.
    /// </summary>
    public static bool TryReadAnswer(SdpSessionDescription answer, IReadOnlyList<SdpCodec> offeredCodecs, [NotNullWhen(true)] out SipRemoteMedia? media)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(offeredCodecs);
        media = null;
        var audio = answer.Media.Find(m => m.Media == "audio" && m.Port != 0 && m.Protocol is "RTP/AVP" or "RTP/AVPF");
        if (audio is null)
        {
            return false;
        }

        var formats = SdpFormats.GetFormats(audio);
        if (SdpBuild.ChooseCodec(formats, offeredCodecs, ourOrder: false) is not { } codec ||
            !TryEndPoint(answer.ConnectionOf(audio), audio.Port, out var endPoint))
        {
            return false;
        }

        var negotiated = new SdpNegotiatedAudio(audio.Mid, codec, SdpFormats.FindTelephoneEvent(formats, codec.Codec.ClockRate),
            answer.DirectionOf(audio), answer.ConnectionOf(audio), audio.Port, null, null, [], audio.Ptime)
        {
            // Our offer always has a=rtcp-mux: the answer keeping it agrees (RFC 5761 section 5.1.1).
            RtcpMux = audio.RtcpMux,
            RemoteRtcpPort = SdpNegotiatedAudio.ParseRtcpPort(audio.Rtcp),
        };
        media = new SipRemoteMedia(endPoint, negotiated, SipSdp.GetHoldState(answer, audio));
        return true;
    }

    /// <summary>A phone's offer that <see cref="SipSdp.TryCreateAnswer"/> answered: where its RTP goes, and hold.</summary>
    public static bool TryReadOffer(SdpSessionDescription offer, SdpAnswer answer, [NotNullWhen(true)] out SipRemoteMedia? media)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(answer);
        media = TryEndPoint(answer.Audio.RemoteConnection, answer.Audio.RemotePort, out var endPoint)
            ? new SipRemoteMedia(endPoint, answer.Audio, SipSdp.GetHoldState(offer))
            : null;
        return media is not null;
    }

    /// <summary>c= and the port as an endpoint; 0.0.0.0 stays (a hold, see <see cref="SdpHoldState.ZeroAddress"/>). FQDNs are not resolved here.</summary>
    private static bool TryEndPoint(SdpConnection? connection, int port, [NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        endPoint = connection is not null && IPAddress.TryParse(connection.Address, out var address) && port is > 0 and <= 65535
            ? new IPEndPoint(address, port)
            : null;
        return endPoint is not null;
    }

    private static int? StaticPayloadType(SdpCodec codec) => codec switch
    {
        _ when codec == SdpCodec.Pcmu => 0,
        _ when codec == SdpCodec.Pcma => 8,
        _ when codec == SdpCodec.G722 => 9,
        _ => null,
    };
}
