using System.Buffers.Binary;

namespace Switchboard.Media.Srtp;

public sealed partial class SrtpContext
{
    private const int RtpFixedHeader = 12;

    /// <summary>
    /// Protects the RTP packet in <paramref name="buffer"/>[..<paramref name="length"/>] in place: encrypts
    /// the payload and appends the tag, so the buffer needs <see cref="RtpOverhead"/> spare bytes.
    /// The index comes from the packet's sequence number and this SSRC's rollover counter.
    /// </summary>
    public SrtpResult ProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        CheckArguments(buffer, length);
        protectedLength = 0;
        var result = ParseRtpHeader(buffer.Slice(0, length), out int headerLength);
        if (result != SrtpResult.Ok)
        {
            return result;
        }

        if (buffer.Length - length < _rtpTagLength)
        {
            return SrtpResult.BufferTooSmall;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer.Slice(8));
        ushort seq = BinaryPrimitives.ReadUInt16BigEndian(buffer.Slice(2));
        var stream = Find(ssrc);
        if (stream is null && _streams.Count >= _maxStreams)
        {
            return SrtpResult.TooManyStreams;
        }

        ulong index = seq;
        if (stream is not null && stream.Rtp.HasHighest)
        {
            long estimate = SrtpIndex.Estimate(stream.Rtp.Highest, seq);
            if (estimate < 0)
            {
                // A sequence number from before the first one sent: it can only belong to ROC 0 - 1.
                return SrtpResult.Replayed;
            }

            index = (ulong)estimate;
        }

        if (index > SrtpIndex.Max)
        {
            return SrtpResult.IndexExhausted;
        }

        stream ??= Add(ssrc);
        if (!stream.Rtp.HasHighest || index > stream.Rtp.Highest)
        {
            stream.Rtp.Accept(index);
        }

        _cipher.ProtectRtp(buffer, headerLength, length, ssrc, index);
        protectedLength = length + _rtpTagLength;
        return SrtpResult.Ok;
    }

    /// <summary>
    /// Unprotects the SRTP packet in <paramref name="buffer"/>[..<paramref name="length"/>] in place:
    /// checks replay, verifies the tag, then decrypts. On anything but <see cref="SrtpResult.Ok"/> the
    /// packet is to be dropped and this context's state is unchanged.
    /// </summary>
    public SrtpResult UnprotectRtp(Span<byte> buffer, int length, out int plainLength)
    {
        CheckArguments(buffer, length);
        plainLength = 0;
        var result = ParseRtpHeader(buffer.Slice(0, length), out int headerLength);
        if (result != SrtpResult.Ok)
        {
            return result;
        }

        if (length - headerLength < _rtpTagLength)
        {
            return SrtpResult.TooShort;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer.Slice(8));
        ushort seq = BinaryPrimitives.ReadUInt16BigEndian(buffer.Slice(2));
        var stream = Find(ssrc);
        ulong index = seq;
        if (stream is null)
        {
            if (_streams.Count >= _maxStreams)
            {
                return SrtpResult.TooManyStreams;
            }
        }
        else if (stream.Rtp.HasHighest)
        {
            long estimate = SrtpIndex.Estimate(stream.Rtp.Highest, seq);
            if (estimate < 0)
            {
                return SrtpResult.Replayed;
            }

            index = (ulong)estimate;
            if (index > SrtpIndex.Max)
            {
                return SrtpResult.IndexExhausted;
            }

            if (!stream.Rtp.Check(index))
            {
                return SrtpResult.Replayed;
            }
        }

        if (!_cipher.UnprotectRtp(buffer, headerLength, length, ssrc, index))
        {
            return SrtpResult.AuthFailed;
        }

        stream ??= Add(ssrc);
        stream.Rtp.Accept(index);
        plainLength = length - _rtpTagLength;
        return SrtpResult.Ok;
    }

    /// <summary>RTP header length: 12 + 4 * CC, plus the extension when X is set (RFC 3550 section 5.3.1).</summary>
    private static SrtpResult ParseRtpHeader(ReadOnlySpan<byte> packet, out int headerLength)
    {
        headerLength = 0;
        if (packet.Length < RtpFixedHeader)
        {
            return SrtpResult.TooShort;
        }

        byte first = packet[0];
        if (first >> 6 != 2)
        {
            return SrtpResult.Malformed;
        }

        int length = RtpFixedHeader + (4 * (first & 0x0F));
        if ((first & 0x10) != 0)
        {
            if (packet.Length < length + 4)
            {
                return SrtpResult.Malformed;
            }

            length += 4 + (4 * BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(length + 2)));
        }

        if (packet.Length < length)
        {
            return SrtpResult.Malformed;
        }

        headerLength = length;
        return SrtpResult.Ok;
    }
}
