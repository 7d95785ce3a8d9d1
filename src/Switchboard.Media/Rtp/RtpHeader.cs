using System.Buffers.Binary;

namespace Switchboard.Media.Rtp;

/// <summary>Why an RTP packet was rejected by <see cref="RtpHeader.TryParse"/>.</summary>
public enum RtpParseStatus
{
    Ok = 0,
    /// <summary>Shorter than the 12-byte fixed header.</summary>
    TooShort,
    /// <summary>Version field is not 2.</summary>
    BadVersion,
    /// <summary>The CSRC list runs past the end of the packet.</summary>
    CsrcTruncated,
    /// <summary>The header extension runs past the end of the packet.</summary>
    ExtensionTruncated,
    /// <summary>The padding count is zero or larger than the space after the header.</summary>
    BadPadding,
}

/// <summary>
/// A parsed RTP fixed header plus the bounds of the CSRC list, header extension and payload
/// (RFC 3550 section 5.1 and 5.3.1). Offsets index into the packet passed to <see cref="TryParse"/>;
/// nothing is copied.
/// </summary>
public readonly struct RtpHeader
{
    public const int FixedHeaderLength = 12;
    public const int Version2 = 2;

    public bool Padding { get; init; }
    public bool HasExtension { get; init; }
    public int CsrcCount { get; init; }
    public bool Marker { get; init; }
    public PayloadType PayloadType { get; init; }
    public ushort SequenceNumber { get; init; }
    public uint Timestamp { get; init; }
    public Ssrc Ssrc { get; init; }

    /// <summary>The 16-bit "defined by profile" field of the header extension (0xBEDE for RFC 8285 one-byte).</summary>
    public ushort ExtensionProfile { get; init; }

    /// <summary>Offset of the extension data (after its 4-byte preamble); 0 when there is none.</summary>
    public int ExtensionOffset { get; init; }

    /// <summary>Length of the extension data in bytes (a multiple of 4).</summary>
    public int ExtensionLength { get; init; }

    /// <summary>Total header length: fixed header, CSRCs and extension.</summary>
    public int HeaderLength { get; init; }

    public int PayloadOffset => HeaderLength;

    public int PayloadLength { get; init; }

    /// <summary>Padding bytes at the end, including the count byte itself.</summary>
    public int PaddingLength { get; init; }

    public ReadOnlySpan<byte> GetPayload(ReadOnlySpan<byte> packet) => packet.Slice(PayloadOffset, PayloadLength);

    public ReadOnlySpan<byte> GetExtension(ReadOnlySpan<byte> packet) => packet.Slice(ExtensionOffset, ExtensionLength);

    public Ssrc GetCsrc(ReadOnlySpan<byte> packet, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, CsrcCount);
        return new Ssrc(BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(FixedHeaderLength + (4 * index), 4)));
    }

    /// <summary>
    /// Reads the header of one RTP packet. Never throws and never allocates; any input that is not a
    /// well-formed RTP version 2 packet yields a status other than <see cref="RtpParseStatus.Ok"/>.
    /// </summary>
    public static RtpParseStatus TryParse(ReadOnlySpan<byte> packet, out RtpHeader header)
    {
        header = default;
        if (packet.Length < FixedHeaderLength)
        {
            return RtpParseStatus.TooShort;
        }

        byte b0 = packet[0];
        if (b0 >> 6 != Version2)
        {
            return RtpParseStatus.BadVersion;
        }

        bool padding = (b0 & 0x20) != 0;
        bool extension = (b0 & 0x10) != 0;
        int csrcCount = b0 & 0x0F;
        int offset = FixedHeaderLength + (4 * csrcCount);
        if (packet.Length < offset)
        {
            return RtpParseStatus.CsrcTruncated;
        }

        ushort profile = 0;
        int extOffset = 0;
        int extLength = 0;
        if (extension)
        {
            // RFC 3550 section 5.3.1: 16-bit profile, 16-bit length in 32-bit words, then the data.
            if (packet.Length < offset + 4)
            {
                return RtpParseStatus.ExtensionTruncated;
            }

            profile = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(offset, 2));
            extLength = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(offset + 2, 2)) * 4;
            extOffset = offset + 4;
            offset = extOffset + extLength;
            if (packet.Length < offset)
            {
                return RtpParseStatus.ExtensionTruncated;
            }
        }

        int paddingLength = 0;
        if (padding)
        {
            // RFC 3550 section 5.1: the last octet counts the padding octets, itself included.
            paddingLength = packet[^1];
            if (paddingLength == 0 || paddingLength > packet.Length - offset)
            {
                return RtpParseStatus.BadPadding;
            }
        }

        byte b1 = packet[1];
        header = new RtpHeader
        {
            Padding = padding,
            HasExtension = extension,
            CsrcCount = csrcCount,
            Marker = (b1 & 0x80) != 0,
            PayloadType = new PayloadType((byte)(b1 & 0x7F)),
            SequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(2, 2)),
            Timestamp = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(4, 4)),
            Ssrc = new Ssrc(BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(8, 4))),
            ExtensionProfile = profile,
            ExtensionOffset = extOffset,
            ExtensionLength = extLength,
            HeaderLength = offset,
            PayloadLength = packet.Length - offset - paddingLength,
            PaddingLength = paddingLength,
        };
        return RtpParseStatus.Ok;
    }
}
