using System.Diagnostics.CodeAnalysis;
using System.Net;
using Switchboard.Media.Sdp;

namespace Switchboard.Pbx.Calls;

/// <summary>The B2BUA's offer to phones and its reading of their answers (RFC 3264 sections 5 and 6.1).</summary>
internal static class PhoneSdp
{
    private static readonly SdpPayloadFormat TelephoneEvent = new(101, SdpCodec.TelephoneEvent8000, "0-16");

    /// <summary>Our offer: the caller's codec only (so the relay never transcodes) and telephone-event on 101.</summary>
    public static string CreateOffer(IPAddress address, int port, SdpPayloadFormat codec, ulong sessionId, ulong version) =>
        SdpWriter.Write(SipSdp.CreateOffer(new SipOfferOptions
        {
            Address = address,
            Port = port,
            SessionId = sessionId,
            SessionVersion = version,
            Formats = [codec, TelephoneEvent],
        }));

    /// <summary>Reads a phone's answer: where it receives RTP, the codec it kept from our offer and its telephone-event.</summary>
    public static bool TryReadAnswer(string sdp, SdpPayloadFormat offered, [NotNullWhen(true)] out IPEndPoint? remote, [NotNullWhen(true)] out SdpNegotiatedAudio? audio)
    {
        remote = null;
        audio = null;
        if (!SdpParser.TryParse(sdp, out var answer, out _))
        {
            return false;
        }

        var media = answer.Media.Find(m => m.Media == "audio" && m.Port != 0 && m.Protocol is "RTP/AVP" or "RTP/AVPF");
        if (media is null || answer.ConnectionOf(media) is not { } connection || !IPAddress.TryParse(connection.Address, out var address))
        {
            return false;
        }

        var formats = SdpFormats.GetFormats(media);
        var codec = formats.Find(f => f.Codec.Name.Equals(offered.Codec.Name, StringComparison.OrdinalIgnoreCase) && f.Codec.ClockRate == offered.Codec.ClockRate);
        if (codec is null)
        {
            return false;
        }

        var telephoneEvent = formats.Find(f => f.Codec.IsTelephoneEvent && f.Codec.ClockRate == codec.Codec.ClockRate);
        remote = new IPEndPoint(address, media.Port);
        audio = new SdpNegotiatedAudio(media.Mid, codec, telephoneEvent, answer.DirectionOf(media), connection, media.Port, null, null, [], media.Ptime);
        return true;
    }
}
