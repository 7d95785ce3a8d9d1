using System.Buffers.Binary;
using System.Net;

namespace Switchboard.Pbx.Security;

/// <summary>
/// What the flood guard counts requests by: an IPv4 address, or the /64 an IPv6 address belongs to (one subnet is
/// one site: a scanner owns the whole /64, and changing the low 64 bits must not buy it a fresh allowance).
/// </summary>
public readonly record struct SipFloodSource(ulong High, ulong Low)
{
    // An IPv4 source is kept in its IPv4-mapped IPv6 form (RFC 4291 section 2.5.5.2); a /64 key has Low = 0, so the two never meet.
    private const ulong V4Mapped = 0xFFFF_0000_0000;

    public bool IsIPv4 => High == 0 && (Low & 0xFFFF_FFFF_0000_0000) == V4Mapped;

    /// <summary>The key of <paramref name="address"/>; allocation-free.</summary>
    public static SipFloodSource Of(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        if (written == 4)
        {
            return new SipFloodSource(0, V4Mapped | BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }

        var high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var low = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        return high == 0 && (low & 0xFFFF_FFFF_0000_0000) == V4Mapped ? new SipFloodSource(0, low) : new SipFloodSource(high, 0);
    }

    /// <summary>For logs: the address, or the /64 prefix.</summary>
    public override string ToString()
    {
        if (IsIPv4)
        {
            var v4 = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)Low);
            return new IPAddress(v4).ToString();
        }

        var v6 = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(v6, High);
        return $"{new IPAddress(v6)}/64";
    }
}
