using System.Buffers.Binary;

namespace Switchboard.Media.Rtp;

/// <summary>The fixed-header fields a sender chooses for one packet (RFC 3550 section 5.1).</summary>
public readonly record struct RtpPacketFields(
    PayloadType PayloadType,
    ushort SequenceNumber,
    uint Timestamp,
    Ssrc Ssrc,
    bool Marker = false);

/// <summary>Writes RTP packets into caller-provided buffers. Never allocates.</summary>
public static class RtpWriter
{
    /// <summary>Bytes needed for a packet with the given parts.</summary>
    public static int GetLength(int csrcCount, int extensionLength, int payloadLength) =>
        RtpHeader.FixedHeaderLength + (4 * csrcCount) + (extensionLength > 0 ? 4 + extensionLength : 0) + payloadLength;

    /// <summary>Writes a packet with no CSRCs and no header extension.</summary>
    public static bool TryWrite(Span<byte> destination, in RtpPacketFields fields, ReadOnlySpan<byte> payload, out int bytesWritten) =>
        TryWrite(destination, fields, [], 0, [], payload, out bytesWritten);

    /// <summary>
    /// Writes a packet. The extension data must be a multiple of 4 bytes (RFC 3550 section 5.3.1);
    /// an empty extension means no extension. Returns false, writing nothing useful, when
    /// <paramref name="destination"/> is too small.
    /// </summary>
    public static bool TryWrite(
        Span<byte> destination,
        in RtpPacketFields fields,
        ReadOnlySpan<Ssrc> csrcs,
        ushort extensionProfile,
        ReadOnlySpan<byte> extension,
        ReadOnlySpan<byte> payload,
        out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(csrcs.Length, 15);
        if (extension.Length % 4 != 0 || extension.Length / 4 > ushort.MaxValue)
        {
            throw new ArgumentException("Header extension length must be a multiple of 4 bytes, at most 262140.", nameof(extension));
        }

        int length = GetLength(csrcs.Length, extension.Length, payload.Length);
        if (destination.Length < length)
        {
            bytesWritten = 0;
            return false;
        }

        bool hasExtension = !extension.IsEmpty;
        destination[0] = (byte)((RtpHeader.Version2 << 6) | (hasExtension ? 0x10 : 0) | csrcs.Length);
        destination[1] = (byte)((fields.Marker ? 0x80 : 0) | fields.PayloadType.Value);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], fields.SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], fields.Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], fields.Ssrc.Value);
        int offset = RtpHeader.FixedHeaderLength;
        foreach (Ssrc csrc in csrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], csrc.Value);
            offset += 4;
        }

        if (hasExtension)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], extensionProfile);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)(extension.Length / 4));
            extension.CopyTo(destination[(offset + 4)..]);
            offset += 4 + extension.Length;
        }

        payload.CopyTo(destination[offset..]);
        bytesWritten = length;
        return true;
    }
}
