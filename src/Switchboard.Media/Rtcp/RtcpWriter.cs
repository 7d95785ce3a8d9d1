using System.Buffers.Binary;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Rtcp;

/// <summary>
/// Writes RTCP packets (RFC 3550 section 6.4-6.6) into caller-provided buffers; several calls on
/// consecutive slices make a compound packet. Each method returns false when the buffer is too small.
/// </summary>
public static class RtcpWriter
{
    public const int MaxReportBlocks = 31;

    public static bool TryWriteSenderReport(Span<byte> destination, Ssrc reporter, in SenderInfo info, ReadOnlySpan<ReportBlock> blocks, out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blocks.Length, MaxReportBlocks);
        int length = RtcpPacket.HeaderLength + 4 + SenderInfo.Length + (blocks.Length * ReportBlock.Length);
        if (destination.Length < length)
        {
            bytesWritten = 0;
            return false;
        }

        WriteHeader(destination, blocks.Length, RtcpPacketType.SenderReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], reporter.Value);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], info.NtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], info.RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], info.PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], info.OctetCount);
        WriteBlocks(destination[28..], blocks);
        bytesWritten = length;
        return true;
    }

    public static bool TryWriteReceiverReport(Span<byte> destination, Ssrc reporter, ReadOnlySpan<ReportBlock> blocks, out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blocks.Length, MaxReportBlocks);
        int length = RtcpPacket.HeaderLength + 4 + (blocks.Length * ReportBlock.Length);
        if (destination.Length < length)
        {
            bytesWritten = 0;
            return false;
        }

        WriteHeader(destination, blocks.Length, RtcpPacketType.ReceiverReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], reporter.Value);
        WriteBlocks(destination[8..], blocks);
        bytesWritten = length;
        return true;
    }

    /// <summary>Writes an SDES packet with one chunk holding one CNAME item (at most 255 bytes).</summary>
    public static bool TryWriteSdesCname(Span<byte> destination, Ssrc source, ReadOnlySpan<byte> cname, out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cname.Length, 255);

        // SSRC, type, length, text, then at least one null byte up to the next 32-bit boundary.
        int chunk = (4 + 2 + cname.Length + 4) & ~3;
        int length = RtcpPacket.HeaderLength + chunk;
        if (destination.Length < length)
        {
            bytesWritten = 0;
            return false;
        }

        WriteHeader(destination, 1, RtcpPacketType.SourceDescription, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], source.Value);
        destination[8] = (byte)SdesItemType.Cname;
        destination[9] = (byte)cname.Length;
        cname.CopyTo(destination[10..]);
        destination[(10 + cname.Length)..length].Clear();
        bytesWritten = length;
        return true;
    }

    /// <summary>Writes a BYE for the given sources with an optional reason (at most 255 bytes).</summary>
    public static bool TryWriteBye(Span<byte> destination, ReadOnlySpan<Ssrc> sources, ReadOnlySpan<byte> reason, out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sources.Length, 31);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(reason.Length, 255);
        int reasonBytes = reason.IsEmpty ? 0 : (1 + reason.Length + 3) & ~3;
        int length = RtcpPacket.HeaderLength + (4 * sources.Length) + reasonBytes;
        if (destination.Length < length)
        {
            bytesWritten = 0;
            return false;
        }

        WriteHeader(destination, sources.Length, RtcpPacketType.Goodbye, length);
        int offset = 4;
        foreach (Ssrc s in sources)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], s.Value);
            offset += 4;
        }

        if (!reason.IsEmpty)
        {
            destination[offset] = (byte)reason.Length;
            reason.CopyTo(destination[(offset + 1)..]);
            destination[(offset + 1 + reason.Length)..length].Clear();
        }

        bytesWritten = length;
        return true;
    }

    private static void WriteHeader(Span<byte> destination, int count, RtcpPacketType type, int length)
    {
        destination[0] = (byte)(0x80 | count);
        destination[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((length / 4) - 1));
    }

    private static void WriteBlocks(Span<byte> destination, ReadOnlySpan<ReportBlock> blocks)
    {
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i].Write(destination.Slice(i * ReportBlock.Length, ReportBlock.Length));
        }
    }
}

/// <summary>64-bit NTP timestamps (RFC 5905): seconds since 1900 in the high word, fraction in the low.</summary>
public static class NtpTime
{
    private const long UnixEpochOffsetSeconds = 2_208_988_800;

    /// <summary>Converts a wall-clock time (for example <c>timeProvider.GetUtcNow()</c>) to NTP format.</summary>
    public static ulong FromDateTimeOffset(DateTimeOffset time)
    {
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }

        ulong fraction = (ulong)((UInt128)(ulong)rest * (UInt128)0x1_0000_0000 / TimeSpan.TicksPerSecond);
        return ((ulong)(seconds + UnixEpochOffsetSeconds) << 32) | fraction;
    }

    /// <summary>The middle 32 bits used in LSR fields (RFC 3550 section 6.4.1).</summary>
    public static uint Middle32(ulong ntp) => (uint)(ntp >> 16);
}
