using System.Buffers.Binary;

namespace Switchboard.Media.Stun;

/// <summary>XOR-MAPPED-ADDRESS value encoding (RFC 8489 section 14.2).</summary>
internal static class StunAddressCodec
{
    private const byte FamilyIPv4 = 0x01;
    private const byte FamilyIPv6 = 0x02;

    public static int XorValueLength(in TransportAddress address) => address.IsIPv4 ? 8 : 20;

    public static bool TryReadXor(ReadOnlySpan<byte> value, ReadOnlySpan<byte> transactionId, out TransportAddress address)
    {
        address = default;
        if (value.Length < 4)
        {
            return false;
        }

        byte family = value[1];
        int port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (int)(StunConstants.MagicCookie >> 16);
        Span<byte> bytes = stackalloc byte[16];
        if (family == FamilyIPv4 && value.Length == 8)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, BinaryPrimitives.ReadUInt32BigEndian(value[4..]) ^ StunConstants.MagicCookie);
            return TransportAddress.TryCreate(bytes[..4], port, out address);
        }

        if (family == FamilyIPv6 && value.Length == 20)
        {
            Span<byte> mask = stackalloc byte[16];
            BinaryPrimitives.WriteUInt32BigEndian(mask, StunConstants.MagicCookie);
            transactionId.CopyTo(mask[4..]);
            for (int i = 0; i < 16; i++)
            {
                bytes[i] = (byte)(value[4 + i] ^ mask[i]);
            }

            return TransportAddress.TryCreate(bytes, port, out address);
        }

        return false;
    }

    /// <summary>Writes the value (not the attribute header); the destination has <see cref="XorValueLength"/> bytes.</summary>
    public static void WriteXor(in TransportAddress address, ReadOnlySpan<byte> transactionId, Span<byte> destination)
    {
        destination[0] = 0;
        destination[1] = address.IsIPv4 ? FamilyIPv4 : FamilyIPv6;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(address.Port ^ (int)(StunConstants.MagicCookie >> 16)));
        int n = address.WriteAddressBytes(destination[4..]);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], BinaryPrimitives.ReadUInt32BigEndian(destination[4..]) ^ StunConstants.MagicCookie);
        for (int i = 4; i < n; i++)
        {
            destination[4 + i] ^= transactionId[i - 4];
        }
    }
}
