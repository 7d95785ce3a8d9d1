using System.Buffers.Binary;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Rtcp;

/// <summary>One reception report block (RFC 3550 section 6.4.1).</summary>
/// <param name="Source">The source this block reports on.</param>
/// <param name="FractionLost">Fraction lost since the previous report, in 1/256.</param>
/// <param name="CumulativeLost">Cumulative packets lost, a 24-bit signed value.</param>
/// <param name="ExtendedHighestSequence">Low 32 bits of the extended highest sequence number received.</param>
/// <param name="Jitter">Interarrival jitter in timestamp units.</param>
/// <param name="LastSenderReport">Middle 32 bits of the last SR's NTP timestamp, or 0.</param>
/// <param name="DelaySinceLastSenderReport">Delay since that SR, in 1/65536 seconds.</param>
public readonly record struct ReportBlock(
    Ssrc Source,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequence,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport)
{
    public const int Length = 24;
    public const int MaxCumulativeLost = 0x7FFFFF;
    public const int MinCumulativeLost = -0x800000;

    internal static ReportBlock Read(ReadOnlySpan<byte> b)
    {
        int lost = (b[5] << 16) | (b[6] << 8) | b[7];
        if ((lost & 0x800000) != 0)
        {
            lost |= unchecked((int)0xFF000000);
        }

        return new ReportBlock(
            new Ssrc(BinaryPrimitives.ReadUInt32BigEndian(b)),
            b[4],
            lost,
            BinaryPrimitives.ReadUInt32BigEndian(b[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(b[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(b[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(b[20..]));
    }

    internal void Write(Span<byte> b)
    {
        BinaryPrimitives.WriteUInt32BigEndian(b, Source.Value);
        b[4] = FractionLost;
        int lost = Math.Clamp(CumulativeLost, MinCumulativeLost, MaxCumulativeLost);
        b[5] = (byte)(lost >> 16);
        b[6] = (byte)(lost >> 8);
        b[7] = (byte)lost;
        BinaryPrimitives.WriteUInt32BigEndian(b[8..], ExtendedHighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(b[12..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(b[16..], LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(b[20..], DelaySinceLastSenderReport);
    }
}

/// <summary>The sender information of an SR (RFC 3550 section 6.4.1).</summary>
/// <param name="NtpTimestamp">Wall clock as a 64-bit NTP timestamp (see <see cref="NtpTime"/>).</param>
/// <param name="RtpTimestamp">The same instant in RTP timestamp units.</param>
/// <param name="PacketCount">RTP data packets sent since starting.</param>
/// <param name="OctetCount">RTP payload octets sent since starting.</param>
public readonly record struct SenderInfo(ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount)
{
    public const int Length = 20;
}

/// <summary>A parsed SR or RR: the reporter, sender info (SR only) and its report blocks.</summary>
public readonly ref struct RtcpReport
{
    private readonly ReadOnlySpan<byte> blocks;

    private RtcpReport(Ssrc reporter, bool isSenderReport, SenderInfo senderInfo, ReadOnlySpan<byte> blocks, int count)
    {
        Reporter = reporter;
        IsSenderReport = isSenderReport;
        SenderInfo = senderInfo;
        this.blocks = blocks;
        BlockCount = count;
    }

    public Ssrc Reporter { get; }

    public bool IsSenderReport { get; }

    /// <summary>Meaningful only when <see cref="IsSenderReport"/>.</summary>
    public SenderInfo SenderInfo { get; }

    public int BlockCount { get; }

    public ReportBlock GetBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, BlockCount);
        return ReportBlock.Read(blocks.Slice(index * ReportBlock.Length, ReportBlock.Length));
    }

    /// <summary>Reads an SR or RR. Profile-specific extensions after the blocks are ignored.</summary>
    public static RtcpParseStatus TryParse(in RtcpPacket packet, out RtcpReport report)
    {
        report = default;
        bool sr = packet.Type == RtcpPacketType.SenderReport;
        if (!sr && packet.Type != RtcpPacketType.ReceiverReport)
        {
            return RtcpParseStatus.WrongType;
        }

        ReadOnlySpan<byte> body = packet.Body;
        int fixedLength = 4 + (sr ? SenderInfo.Length : 0);
        if (body.Length < fixedLength)
        {
            return RtcpParseStatus.TooShort;
        }

        int count = packet.Count;
        if (body.Length < fixedLength + (count * ReportBlock.Length))
        {
            return RtcpParseStatus.Malformed;
        }

        var reporter = new Ssrc(BinaryPrimitives.ReadUInt32BigEndian(body));
        SenderInfo info = sr
            ? new SenderInfo(
                BinaryPrimitives.ReadUInt64BigEndian(body[4..]),
                BinaryPrimitives.ReadUInt32BigEndian(body[12..]),
                BinaryPrimitives.ReadUInt32BigEndian(body[16..]),
                BinaryPrimitives.ReadUInt32BigEndian(body[20..]))
            : default;
        report = new RtcpReport(reporter, sr, info, body.Slice(fixedLength, count * ReportBlock.Length), count);
        return RtcpParseStatus.Ok;
    }
}
