using Switchboard.Media.Rtp;
using Switchboard.Media.Sdp;

namespace Switchboard.Media.Relay;

/// <summary>The payload type mapping every sink applies to a relayed packet.</summary>
public static class RelayedRtp
{
    /// <summary>
    /// Writes our peer's payload type for <paramref name="kind"/> into the packet, keeping the marker
    /// bit (RFC 3550 section 5.1: M and PT share the second byte). False when the packet is too short
    /// to be RTP, or is a telephone event and <paramref name="audio"/> has no telephone-event: drop it
    /// (the call converts digits to SIP INFO on that path instead).
    /// </summary>
    public static bool TryMapPayloadType(Span<byte> rtp, RelayedPayload kind, SdpNegotiatedAudio audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (rtp.Length < RtpHeader.FixedHeaderLength)
        {
            return false;
        }

        int payloadType;
        if (kind == RelayedPayload.Audio)
        {
            payloadType = audio.Codec.PayloadType;
        }
        else if (audio.TelephoneEvent is { } te)
        {
            payloadType = te.PayloadType;
        }
        else
        {
            return false;
        }

        rtp[1] = (byte)((rtp[1] & 0x80) | (payloadType & 0x7F));
        return true;
    }

    /// <summary>What a received packet is, by its payload type against the negotiated ones; null for anything else (e.g. comfort noise).</summary>
    public static RelayedPayload? Classify(PayloadType payloadType, SdpNegotiatedAudio audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (payloadType.Value == audio.Codec.PayloadType)
        {
            return RelayedPayload.Audio;
        }

        return audio.TelephoneEvent is { } te && payloadType.Value == te.PayloadType ? RelayedPayload.TelephoneEvent : null;
    }
}
