using System.Buffers.Binary;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Rtcp;

/// <summary>SDES item types (RFC 3550 section 6.5).</summary>
public enum SdesItemType : byte
{
    End = 0,
    Cname = 1,
    Name = 2,
    Email = 3,
    Phone = 4,
    Location = 5,
    Tool = 6,
    Note = 7,
    Private = 8,
}

/// <summary>
/// Walks the items of an SDES packet (RFC 3550 section 6.5): each chunk is an SSRC followed by items,
/// ended by a zero byte and padded to a 32-bit boundary.
/// </summary>
public ref struct RtcpSdesReader
{
    private readonly ReadOnlySpan<byte> body;
    private readonly int chunkCount;
    private int offset;
    private int chunksStarted;
    private bool inChunk;
    private Ssrc current;
    private bool failed;

    public RtcpSdesReader(in RtcpPacket packet)
    {
        body = packet.Type == RtcpPacketType.SourceDescription ? packet.Body : default;
        chunkCount = packet.Type == RtcpPacketType.SourceDescription ? packet.Count : 0;
        offset = 0;
        chunksStarted = 0;
        inChunk = false;
        current = default;
        failed = packet.Type != RtcpPacketType.SourceDescription;
    }

    /// <summary>
    /// Reads the next item. Returns <see cref="RtcpParseStatus.Ok"/> with an item,
    /// <see cref="RtcpParseStatus.End"/> after the last chunk, or an error.
    /// </summary>
    public RtcpParseStatus TryReadNext(out Ssrc source, out SdesItemType type, out ReadOnlySpan<byte> value)
    {
        source = default;
        type = SdesItemType.End;
        value = default;
        if (failed)
        {
            return RtcpParseStatus.Malformed;
        }

        while (true)
        {
            if (!inChunk)
            {
                if (chunksStarted == chunkCount)
                {
                    return RtcpParseStatus.End;
                }

                if (body.Length - offset < 4)
                {
                    return Fail();
                }

                current = new Ssrc(BinaryPrimitives.ReadUInt32BigEndian(body[offset..]));
                offset += 4;
                chunksStarted++;
                inChunk = true;
            }

            if (offset >= body.Length)
            {
                return Fail();
            }

            byte itemType = body[offset];
            if (itemType == 0)
            {
                // Null item ends the chunk; skip to the next 32-bit boundary.
                // Tolerate a final chunk whose padding was cut short.
                offset = Math.Min((offset + 4) & ~3, body.Length);

                inChunk = false;
                continue;
            }

            if (body.Length - offset < 2)
            {
                return Fail();
            }

            int length = body[offset + 1];
            if (body.Length - offset - 2 < length)
            {
                return Fail();
            }

            source = current;
            type = (SdesItemType)itemType;
            value = body.Slice(offset + 2, length);
            offset += 2 + length;
            return RtcpParseStatus.Ok;
        }
    }

    private RtcpParseStatus Fail()
    {
        failed = true;
        return RtcpParseStatus.Malformed;
    }
}

/// <summary>A parsed BYE packet (RFC 3550 section 6.6).</summary>
public readonly ref struct RtcpBye
{
    private readonly ReadOnlySpan<byte> sources;

    private RtcpBye(ReadOnlySpan<byte> sources, int count, ReadOnlySpan<byte> reason)
    {
        this.sources = sources;
        SourceCount = count;
        Reason = reason;
    }

    public int SourceCount { get; }

    /// <summary>The optional reason for leaving, UTF-8; empty when absent.</summary>
    public ReadOnlySpan<byte> Reason { get; }

    public Ssrc GetSource(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SourceCount);
        return new Ssrc(BinaryPrimitives.ReadUInt32BigEndian(sources.Slice(index * 4, 4)));
    }

    public static RtcpParseStatus TryParse(in RtcpPacket packet, out RtcpBye bye)
    {
        bye = default;
        if (packet.Type != RtcpPacketType.Goodbye)
        {
            return RtcpParseStatus.WrongType;
        }

        ReadOnlySpan<byte> body = packet.Body;
        int count = packet.Count;
        if (body.Length < count * 4)
        {
            return RtcpParseStatus.Malformed;
        }

        ReadOnlySpan<byte> reason = default;
        int rest = body.Length - (count * 4);
        if (rest > 0)
        {
            int length = body[count * 4];
            if (length > rest - 1)
            {
                return RtcpParseStatus.Malformed;
            }

            reason = body.Slice((count * 4) + 1, length);
        }

        bye = new RtcpBye(body[..(count * 4)], count, reason);
        return RtcpParseStatus.Ok;
    }
}
