using System.Buffers.Binary;

namespace Switchboard.Media.Rtcp;

/// <summary>RTCP packet types (RFC 3550 section 12.1, RFC 4585, RFC 3611).</summary>
public enum RtcpPacketType : byte
{
    SenderReport = 200,
    ReceiverReport = 201,
    SourceDescription = 202,
    Goodbye = 203,
    ApplicationDefined = 204,
    TransportFeedback = 205,
    PayloadFeedback = 206,
    ExtendedReport = 207,
}

/// <summary>Why an RTCP packet or compound packet was rejected.</summary>
public enum RtcpParseStatus
{
    Ok = 0,
    /// <summary>No more packets in the compound packet (not an error).</summary>
    End,
    /// <summary>Shorter than the header or than the fixed part of its type.</summary>
    TooShort,
    /// <summary>Version field is not 2.</summary>
    BadVersion,
    /// <summary>The length field points past the end of the datagram.</summary>
    LengthOverrun,
    /// <summary>The padding count is zero or larger than the packet.</summary>
    BadPadding,
    /// <summary>The packet is not of the type the typed reader expects.</summary>
    WrongType,
    /// <summary>The body contradicts its count field (report blocks, SDES chunks, BYE sources).</summary>
    Malformed,
}

/// <summary>
/// One RTCP packet inside a compound packet: the common header (RFC 3550 section 6.4.1) and the body
/// after it, with any padding removed. A view over the datagram; nothing is copied.
/// </summary>
public readonly ref struct RtcpPacket
{
    public const int HeaderLength = 4;

    internal RtcpPacket(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> body)
    {
        Raw = raw;
        Body = body;
    }

    /// <summary>The whole packet, header and padding included.</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>The bytes after the 4-byte common header, padding removed.</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>The 5-bit count field: report blocks, SDES chunks, BYE sources, or a feedback message type.</summary>
    public int Count => Raw[0] & 0x1F;

    public bool Padding => (Raw[0] & 0x20) != 0;

    public RtcpPacketType Type => (RtcpPacketType)Raw[1];
}

/// <summary>
/// Walks the packets of a compound RTCP datagram (RFC 3550 section 6.1 and appendix A.2). Tolerates
/// reduced-size RTCP (RFC 5506): a datagram need not start with SR or RR and may hold one packet of any
/// type. Never throws on bad input.
/// </summary>
public ref struct RtcpCompoundReader
{
    private ReadOnlySpan<byte> remaining;
    private bool failed;

    public RtcpCompoundReader(ReadOnlySpan<byte> datagram)
    {
        remaining = datagram;
        failed = false;
    }

    /// <summary>
    /// Reads the next packet. Returns <see cref="RtcpParseStatus.Ok"/> with a packet,
    /// <see cref="RtcpParseStatus.End"/> when the datagram is used up, or an error after which every
    /// further call returns the same kind of refusal (<see cref="RtcpParseStatus.End"/>).
    /// </summary>
    public RtcpParseStatus TryReadNext(out RtcpPacket packet)
    {
        packet = default;
        if (failed || remaining.IsEmpty)
        {
            return RtcpParseStatus.End;
        }

        RtcpParseStatus status = TryReadOne(remaining, out packet, out int consumed);
        if (status != RtcpParseStatus.Ok)
        {
            failed = true;
            return status;
        }

        remaining = remaining[consumed..];
        return RtcpParseStatus.Ok;
    }

    /// <summary>Reads the single RTCP packet at the start of <paramref name="data"/>.</summary>
    public static RtcpParseStatus TryReadOne(ReadOnlySpan<byte> data, out RtcpPacket packet, out int consumed)
    {
        packet = default;
        consumed = 0;
        if (data.Length < RtcpPacket.HeaderLength)
        {
            return RtcpParseStatus.TooShort;
        }

        if (data[0] >> 6 != 2)
        {
            return RtcpParseStatus.BadVersion;
        }

        int length = (BinaryPrimitives.ReadUInt16BigEndian(data[2..]) + 1) * 4;
        if (length > data.Length)
        {
            return RtcpParseStatus.LengthOverrun;
        }

        ReadOnlySpan<byte> raw = data[..length];
        int bodyEnd = length;
        if ((raw[0] & 0x20) != 0)
        {
            int pad = raw[^1];
            if (pad == 0 || pad > length - RtcpPacket.HeaderLength)
            {
                return RtcpParseStatus.BadPadding;
            }

            bodyEnd -= pad;
        }

        packet = new RtcpPacket(raw, raw[RtcpPacket.HeaderLength..bodyEnd]);
        consumed = length;
        return RtcpParseStatus.Ok;
    }
}
