using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Media.Stun;

/// <summary>
/// An IP address and UDP port as a plain value: no allocation to copy, compare or hash, unlike
/// <see cref="IPEndPoint"/>. IPv4-mapped IPv6 addresses (from dual-mode sockets) are stored as IPv4,
/// so that XOR-MAPPED-ADDRESS reports the family the peer actually used. The IPv6 scope id is not kept.
/// </summary>
public readonly struct TransportAddress : IEquatable<TransportAddress>
{
    // IPv6: the 16 address bytes big-endian in _high/_low. IPv4: the 4 bytes big-endian in the low half of _low.
    private readonly ulong _high;
    private readonly ulong _low;
    private readonly ushort _port;
    private readonly byte _family; // 0 none, 4, 6

    private TransportAddress(ulong high, ulong low, ushort port, byte family)
    {
        _high = high;
        _low = low;
        _port = port;
        _family = family;
    }

    public bool IsIPv4 => _family == 4;

    public bool IsIPv6 => _family == 6;

    /// <summary>False for <c>default(TransportAddress)</c>.</summary>
    public bool IsValid => _family != 0;

    public AddressFamily AddressFamily => _family switch
    {
        4 => AddressFamily.InterNetwork,
        6 => AddressFamily.InterNetworkV6,
        _ => AddressFamily.Unspecified,
    };

    public int Port => _port;

    /// <summary>Number of address bytes: 4, 16, or 0 for the default value.</summary>
    public int AddressLength => _family switch { 4 => 4, 6 => 16, _ => 0 };

    public static TransportAddress FromIPEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return Create(endPoint.Address, endPoint.Port);
    }

    public static TransportAddress Create(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
        {
            throw new ArgumentException("Unsupported address family.", nameof(address));
        }

        _ = TryCreate(bytes[..written], port, out TransportAddress result);
        return result;
    }

    /// <summary>
    /// From the <see cref="SocketAddress"/> that <c>Socket.ReceiveFrom(Span&lt;byte&gt;, SocketFlags, SocketAddress)</c>
    /// fills, without allocating an <see cref="IPEndPoint"/> per datagram. sockaddr_in keeps the port at
    /// offset 2 and the address at 4; sockaddr_in6 the port at 2 and the address at 8.
    /// </summary>
    public static bool TryFromSocketAddress(SocketAddress socketAddress, out TransportAddress result)
    {
        ArgumentNullException.ThrowIfNull(socketAddress);
        ReadOnlySpan<byte> raw = socketAddress.Buffer.Span[..socketAddress.Size];
        if (socketAddress.Family == AddressFamily.InterNetwork && raw.Length >= 8)
        {
            return TryCreate(raw.Slice(4, 4), BinaryPrimitives.ReadUInt16BigEndian(raw[2..]), out result);
        }

        if (socketAddress.Family == AddressFamily.InterNetworkV6 && raw.Length >= 24)
        {
            return TryCreate(raw.Slice(8, 16), BinaryPrimitives.ReadUInt16BigEndian(raw[2..]), out result);
        }

        result = default;
        return false;
    }

    /// <summary>From 4 or 16 network-order address bytes. False for any other length or port.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> addressBytes, int port, out TransportAddress result)
    {
        if ((uint)port > ushort.MaxValue)
        {
            result = default;
            return false;
        }

        if (addressBytes.Length == 4)
        {
            result = new TransportAddress(0, BinaryPrimitives.ReadUInt32BigEndian(addressBytes), (ushort)port, 4);
            return true;
        }

        if (addressBytes.Length == 16)
        {
            ulong high = BinaryPrimitives.ReadUInt64BigEndian(addressBytes);
            ulong low = BinaryPrimitives.ReadUInt64BigEndian(addressBytes[8..]);
            if (high == 0 && (low >> 32) == 0xFFFF)
            {
                // ::ffff:a.b.c.d
                result = new TransportAddress(0, low & 0xFFFF_FFFF, (ushort)port, 4);
                return true;
            }

            result = new TransportAddress(high, low, (ushort)port, 6);
            return true;
        }

        result = default;
        return false;
    }

    /// <summary>Writes the 4 or 16 address bytes in network order and returns how many.</summary>
    public int WriteAddressBytes(Span<byte> destination)
    {
        if (_family == 4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_low);
            return 4;
        }

        if (_family == 6)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
            BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
            return 16;
        }

        return 0;
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        int n = WriteAddressBytes(bytes);
        return n == 0 ? IPAddress.None : new IPAddress(bytes[..n]);
    }

    /// <summary>Allocates: for the socket adapter and logs, not the per-packet path.</summary>
    public IPEndPoint ToIPEndPoint() => new(ToIPAddress(), _port);

    public bool Equals(TransportAddress other) =>
        _high == other._high && _low == other._low && _port == other._port && _family == other._family;

    public override bool Equals(object? obj) => obj is TransportAddress other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_high, _low, _port, _family);

    public static bool operator ==(TransportAddress left, TransportAddress right) => left.Equals(right);

    public static bool operator !=(TransportAddress left, TransportAddress right) => !left.Equals(right);

    public override string ToString() => _family switch
    {
        4 => string.Create(CultureInfo.InvariantCulture, $"{ToIPAddress()}:{_port}"),
        6 => string.Create(CultureInfo.InvariantCulture, $"[{ToIPAddress()}]:{_port}"),
        _ => "(none)",
    };
}
