using System.Buffers.Binary;
using System.Text;

namespace Switchboard.Media.Stun;

/// <summary>
/// Writes one STUN message into a caller-provided buffer (RFC 8489 section 5). The header's length
/// field is kept current after every attribute, so <see cref="Written"/> is always a well-formed
/// message. When the buffer is too small an Add method returns false, writes nothing, and
/// <see cref="Overflowed"/> stays true. Add MESSAGE-INTEGRITY and then FINGERPRINT last.
/// </summary>
public ref struct StunWriter
{
    private readonly Span<byte> _buffer;
    private int _length;
    private bool _overflowed;

    /// <param name="destination">Where the message goes; 20 bytes at least for the header.</param>
    /// <param name="messageType">E.g. <see cref="StunConstants.BindingSuccessResponse"/>.</param>
    /// <param name="transactionId">Exactly 12 bytes (a programmer error otherwise).</param>
    public StunWriter(Span<byte> destination, ushort messageType, ReadOnlySpan<byte> transactionId)
    {
        if (transactionId.Length != StunConstants.TransactionIdLength)
        {
            throw new ArgumentException("A STUN transaction id is 12 bytes.", nameof(transactionId));
        }

        if ((messageType & 0xC000) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(messageType), "The two top bits of a STUN type are zero.");
        }

        _buffer = destination;
        if (destination.Length < StunConstants.HeaderLength)
        {
            _overflowed = true;
            _length = 0;
            return;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, messageType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StunConstants.MagicCookie);
        transactionId.CopyTo(destination[8..]);
        _length = StunConstants.HeaderLength;
    }

    /// <summary>Bytes written so far: the whole message.</summary>
    public readonly int Length => _length;

    public readonly bool Overflowed => _overflowed;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    /// <summary>Any attribute. <paramref name="padding"/> fills the 0-3 bytes up to a 4-byte boundary (its value is free, RFC 8489 section 14).</summary>
    public bool AddAttribute(ushort type, scoped ReadOnlySpan<byte> value, byte padding = 0)
    {
        if (!TryReserve(type, value.Length, out Span<byte> slot, padding))
        {
            return false;
        }

        value.CopyTo(slot);
        return true;
    }

    public bool AddAttribute(StunAttributeType type, scoped ReadOnlySpan<byte> value, byte padding = 0) =>
        AddAttribute((ushort)type, value, padding);

    /// <summary>USERNAME (section 14.3), UTF-8 bytes.</summary>
    public bool AddUsername(scoped ReadOnlySpan<byte> usernameUtf8, byte padding = 0) =>
        AddAttribute(StunAttributeType.Username, usernameUtf8, padding);

    /// <summary>SOFTWARE (section 14.14), UTF-8 bytes.</summary>
    public bool AddSoftware(scoped ReadOnlySpan<byte> softwareUtf8, byte padding = 0) =>
        AddAttribute(StunAttributeType.Software, softwareUtf8, padding);

    /// <summary>XOR-MAPPED-ADDRESS (section 14.2), IPv4 or IPv6.</summary>
    public bool AddXorMappedAddress(in TransportAddress address)
    {
        if (!address.IsValid)
        {
            throw new ArgumentException("No address.", nameof(address));
        }

        if (!TryReserve((ushort)StunAttributeType.XorMappedAddress, StunAddressCodec.XorValueLength(address), out Span<byte> slot))
        {
            return false;
        }

        StunAddressCodec.WriteXor(address, _buffer.Slice(8, StunConstants.TransactionIdLength), slot);
        return true;
    }

    /// <summary>PRIORITY (RFC 8445 section 16.1).</summary>
    public bool AddPriority(uint priority)
    {
        if (!TryReserve((ushort)StunAttributeType.Priority, 4, out Span<byte> slot))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(slot, priority);
        return true;
    }

    /// <summary>USE-CANDIDATE (RFC 8445 section 16.1), no value.</summary>
    public bool AddUseCandidate() => TryReserve((ushort)StunAttributeType.UseCandidate, 0, out _);

    /// <summary>ICE-CONTROLLING with its tie-breaker (RFC 8445 section 16.1).</summary>
    public bool AddIceControlling(ulong tieBreaker) => AddUInt64(StunAttributeType.IceControlling, tieBreaker);

    /// <summary>ICE-CONTROLLED with its tie-breaker (RFC 8445 section 16.1).</summary>
    public bool AddIceControlled(ulong tieBreaker) => AddUInt64(StunAttributeType.IceControlled, tieBreaker);

    /// <summary>ERROR-CODE (section 14.8). <paramref name="code"/> must be 300-699; the reason is written as UTF-8 (at most 127 characters).</summary>
    public bool AddErrorCode(int code, scoped ReadOnlySpan<char> reason)
    {
        if (code < 300 || code > 699)
        {
            throw new ArgumentOutOfRangeException(nameof(code), "STUN error codes are 300-699.");
        }

        if (reason.Length > 127)
        {
            throw new ArgumentOutOfRangeException(nameof(reason), "The reason phrase is under 128 characters.");
        }

        int reasonBytes = Encoding.UTF8.GetByteCount(reason);
        if (!TryReserve((ushort)StunAttributeType.ErrorCode, 4 + reasonBytes, out Span<byte> slot))
        {
            return false;
        }

        slot[0] = 0;
        slot[1] = 0;
        slot[2] = (byte)(code / 100);
        slot[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reason, slot[4..]);
        return true;
    }

    /// <summary>UNKNOWN-ATTRIBUTES (section 14.9) for a 420 response.</summary>
    public bool AddUnknownAttributes(scoped ReadOnlySpan<ushort> types)
    {
        if (!TryReserve((ushort)StunAttributeType.UnknownAttributes, types.Length * 2, out Span<byte> slot))
        {
            return false;
        }

        for (int i = 0; i < types.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(slot[(i * 2)..], types[i]);
        }

        return true;
    }

    /// <summary>MESSAGE-INTEGRITY (section 14.5): HMAC-SHA1 keyed with <paramref name="key"/> (for ICE the password bytes).</summary>
    public bool AddMessageIntegrity(scoped ReadOnlySpan<byte> key)
    {
        int start = _length;
        if (!TryReserve((ushort)StunAttributeType.MessageIntegrity, StunConstants.MessageIntegrityLength, out Span<byte> slot))
        {
            return false;
        }

        // The length field already counts this attribute, as the HMAC input requires.
        StunIntegrity.HmacSha1(key, _buffer[..start], slot);
        return true;
    }

    /// <summary>MESSAGE-INTEGRITY with a key prepared once (<see cref="StunIntegrityKey"/>).</summary>
    public bool AddMessageIntegrity(StunIntegrityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int start = _length;
        if (!TryReserve((ushort)StunAttributeType.MessageIntegrity, StunConstants.MessageIntegrityLength, out Span<byte> slot))
        {
            return false;
        }

        key.Compute(_buffer[..start], slot);
        return true;
    }

    /// <summary>FINGERPRINT (section 14.7), which must be the last attribute.</summary>
    public bool AddFingerprint()
    {
        int start = _length;
        if (!TryReserve((ushort)StunAttributeType.Fingerprint, 4, out Span<byte> slot))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(slot, StunCrc32.Fingerprint(_buffer[..start]));
        return true;
    }

    private bool AddUInt64(StunAttributeType type, ulong value)
    {
        if (!TryReserve((ushort)type, 8, out Span<byte> slot))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt64BigEndian(slot, value);
        return true;
    }

    /// <summary>Writes the attribute header and padding, updates the message length, and hands out the value slot.</summary>
    private bool TryReserve(ushort type, int valueLength, out Span<byte> slot, byte padding = 0)
    {
        int padded = (valueLength + 3) & ~3;
        if (_overflowed || valueLength > ushort.MaxValue || _buffer.Length - _length < 4 + padded
            || _length + 4 + padded - StunConstants.HeaderLength > ushort.MaxValue)
        {
            _overflowed = true;
            slot = default;
            return false;
        }

        Span<byte> at = _buffer[_length..];
        BinaryPrimitives.WriteUInt16BigEndian(at, type);
        BinaryPrimitives.WriteUInt16BigEndian(at[2..], (ushort)valueLength);
        at.Slice(4 + valueLength, padded - valueLength).Fill(padding);
        _length += 4 + padded;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(_length - StunConstants.HeaderLength));
        slot = at.Slice(4, valueLength);
        return true;
    }
}
