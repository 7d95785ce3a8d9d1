using System.Buffers.Binary;

namespace Switchboard.Media.Srtp;

public sealed partial class SrtpContext
{
    private const int RtcpHeader = 8;
    private const uint MaxRtcpIndex = 0x7FFF_FFFF;

    /// <summary>
    /// Protects the (compound) RTCP packet in <paramref name="buffer"/>[..<paramref name="length"/>] in
    /// place (RFC 3711 section 3.4, RFC 7714 section 9): encrypts everything after the first 8 bytes,
    /// sets the E flag, and appends the SRTCP index and tag (<see cref="RtcpOverhead"/> bytes).
    /// </summary>
    public SrtpResult ProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        CheckArguments(buffer, length);
        protectedLength = 0;
        var result = CheckRtcpHeader(buffer.Slice(0, length));
        if (result != SrtpResult.Ok)
        {
            return result;
        }

        if (buffer.Length - length < _rtcpOverhead)
        {
            return SrtpResult.BufferTooSmall;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer.Slice(4));
        var stream = Find(ssrc);
        if (stream is null)
        {
            if (_streams.Count >= _maxStreams)
            {
                return SrtpResult.TooManyStreams;
            }

            stream = Add(ssrc);
        }

        if (stream.NextRtcpIndex > MaxRtcpIndex)
        {
            return SrtpResult.IndexExhausted;
        }

        uint index = stream.NextRtcpIndex++;
        protectedLength = _cipher.ProtectRtcp(buffer, length, ssrc, index);
        return SrtpResult.Ok;
    }

    /// <summary>
    /// Unprotects the SRTCP packet in <paramref name="buffer"/>[..<paramref name="length"/>] in place:
    /// checks the SRTCP index against the replay window, verifies the tag and, when the E flag is set, decrypts.
    /// </summary>
    public SrtpResult UnprotectRtcp(Span<byte> buffer, int length, out int plainLength)
    {
        CheckArguments(buffer, length);
        plainLength = 0;
        var result = CheckRtcpHeader(buffer.Slice(0, length));
        if (result != SrtpResult.Ok)
        {
            return result;
        }

        if (length < RtcpHeader + _rtcpOverhead)
        {
            return SrtpResult.TooShort;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer.Slice(4));
        uint word = BinaryPrimitives.ReadUInt32BigEndian(buffer.Slice(_cipher.RtcpIndexOffset(length)));
        uint index = word & MaxRtcpIndex;
        var stream = Find(ssrc);
        if (stream is null)
        {
            if (_streams.Count >= _maxStreams)
            {
                return SrtpResult.TooManyStreams;
            }
        }
        else if (!stream.Rtcp.Check(index))
        {
            return SrtpResult.Replayed;
        }

        int plain = _cipher.UnprotectRtcp(buffer, length, ssrc, word);
        if (plain < 0)
        {
            return SrtpResult.AuthFailed;
        }

        stream ??= Add(ssrc);
        stream.Rtcp.Accept(index);
        plainLength = plain;
        return SrtpResult.Ok;
    }

    private static SrtpResult CheckRtcpHeader(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < RtcpHeader)
        {
            return SrtpResult.TooShort;
        }

        return packet[0] >> 6 == 2 ? SrtpResult.Ok : SrtpResult.Malformed;
    }
}
