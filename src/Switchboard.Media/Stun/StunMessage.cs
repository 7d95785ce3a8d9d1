using System.Buffers.Binary;

namespace Switchboard.Media.Stun;

/// <summary>
/// A validated view over one STUN message (RFC 8489 section 5). <see cref="TryParse"/> checks the
/// header and walks the attributes once, remembering where the ones ICE needs are; nothing is copied
/// and nothing is allocated. Attributes after MESSAGE-INTEGRITY are ignored except
/// MESSAGE-INTEGRITY-SHA256 and FINGERPRINT (section 14.5); FINGERPRINT must be last (section 14.7).
/// </summary>
public readonly ref partial struct StunMessage
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly short _username;
    private readonly short _messageIntegrity;
    private readonly short _fingerprint;
    private readonly short _priority;
    private readonly short _useCandidate;
    private readonly short _iceControlling;
    private readonly short _iceControlled;
    private readonly short _xorMappedAddress;
    private readonly short _errorCode;
    private readonly short _firstUnknown;
    private readonly short _unknownCount;

    // Offsets are of the attribute header; -1 when absent. A STUN message over UDP fits in short offsets:
    // the length field is 16 bits but TryParse rejects messages above MaxParsedLength.
    private StunMessage(
        ReadOnlySpan<byte> bytes,
        short username,
        short messageIntegrity,
        short fingerprint,
        short priority,
        short useCandidate,
        short iceControlling,
        short iceControlled,
        short xorMappedAddress,
        short errorCode,
        short firstUnknown,
        short unknownCount)
    {
        _bytes = bytes;
        _username = username;
        _messageIntegrity = messageIntegrity;
        _fingerprint = fingerprint;
        _priority = priority;
        _useCandidate = useCandidate;
        _iceControlling = iceControlling;
        _iceControlled = iceControlled;
        _xorMappedAddress = xorMappedAddress;
        _errorCode = errorCode;
        _firstUnknown = firstUnknown;
        _unknownCount = unknownCount;
    }

    /// <summary>Largest message accepted, header included. Far above any UDP datagram we receive.</summary>
    public const int MaxParsedLength = short.MaxValue;

    /// <summary>The whole message (header and attributes).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    public ushort MessageType => BinaryPrimitives.ReadUInt16BigEndian(_bytes);

    public StunMethod Method => StunConstants.MethodOf(MessageType);

    public StunClass Class => StunConstants.ClassOf(MessageType);

    public ReadOnlySpan<byte> TransactionId => _bytes.Slice(8, StunConstants.TransactionIdLength);

    public bool HasMessageIntegrity => _messageIntegrity >= 0;

    public bool HasFingerprint => _fingerprint >= 0;

    public bool HasUseCandidate => _useCandidate >= 0;

    /// <summary>Number of comprehension-required attributes this parser does not know (RFC 8489 section 6.3.1).</summary>
    public int UnknownComprehensionRequiredCount => _unknownCount;

    /// <summary>Checks the header and attribute framing of exactly one datagram.</summary>
    public static StunParseStatus TryParse(ReadOnlySpan<byte> datagram, out StunMessage message)
    {
        message = default;
        if (datagram.Length < StunConstants.HeaderLength)
        {
            return StunParseStatus.TooShort;
        }

        if ((datagram[0] & 0xC0) != 0)
        {
            return StunParseStatus.NotStun;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != StunConstants.MagicCookie)
        {
            return StunParseStatus.BadMagicCookie;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if ((length & 3) != 0 || length + StunConstants.HeaderLength != datagram.Length
            || datagram.Length > MaxParsedLength)
        {
            return StunParseStatus.BadLength;
        }

        short username = -1, integrity = -1, fingerprint = -1, priority = -1, useCandidate = -1;
        short controlling = -1, controlled = -1, xorMapped = -1, errorCode = -1, firstUnknown = -1, unknownCount = 0;
        int pos = StunConstants.HeaderLength;
        while (pos < datagram.Length)
        {
            // pos and datagram.Length are both multiples of 4, so a 4-byte attribute header fits.
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(datagram[pos..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(pos + 2)..]);
            int padded = (valueLength + 3) & ~3;
            if (padded > datagram.Length - pos - 4)
            {
                return StunParseStatus.AttributeOverrun;
            }

            if (fingerprint >= 0)
            {
                return StunParseStatus.FingerprintNotLast;
            }

            short here = (short)pos;
            if (type == (ushort)StunAttributeType.Fingerprint)
            {
                if (valueLength != 4)
                {
                    return StunParseStatus.BadAttributeLength;
                }

                fingerprint = here;
            }
            else if (integrity < 0)
            {
                switch ((StunAttributeType)type)
                {
                    case StunAttributeType.MessageIntegrity:
                        if (valueLength != StunConstants.MessageIntegrityLength)
                        {
                            return StunParseStatus.BadAttributeLength;
                        }

                        integrity = here;
                        break;
                    case StunAttributeType.Username:
                        SetFirst(ref username, here);
                        break;
                    case StunAttributeType.Priority:
                        if (valueLength != 4)
                        {
                            return StunParseStatus.BadAttributeLength;
                        }

                        SetFirst(ref priority, here);
                        break;
                    case StunAttributeType.UseCandidate:
                        if (valueLength != 0)
                        {
                            return StunParseStatus.BadAttributeLength;
                        }

                        SetFirst(ref useCandidate, here);
                        break;
                    case StunAttributeType.IceControlling:
                        if (valueLength != 8)
                        {
                            return StunParseStatus.BadAttributeLength;
                        }

                        SetFirst(ref controlling, here);
                        break;
                    case StunAttributeType.IceControlled:
                        if (valueLength != 8)
                        {
                            return StunParseStatus.BadAttributeLength;
                        }

                        SetFirst(ref controlled, here);
                        break;
                    case StunAttributeType.XorMappedAddress:
                        SetFirst(ref xorMapped, here);
                        break;
                    case StunAttributeType.ErrorCode:
                        SetFirst(ref errorCode, here);
                        break;
                    default:
                        if (!StunConstants.IsKnownAttribute(type))
                        {
                            SetFirst(ref firstUnknown, here);
                            unknownCount++;
                        }

                        break;
                }
            }

            pos += 4 + padded;
        }

        message = new StunMessage(
            datagram, username, integrity, fingerprint, priority, useCandidate, controlling, controlled,
            xorMapped, errorCode, firstUnknown, unknownCount);
        return StunParseStatus.Ok;
    }

    private static void SetFirst(ref short slot, short offset)
    {
        if (slot < 0)
        {
            slot = offset;
        }
    }

    private ReadOnlySpan<byte> ValueAt(short offset)
    {
        int length = BinaryPrimitives.ReadUInt16BigEndian(_bytes[(offset + 2)..]);
        return _bytes.Slice(offset + 4, length);
    }

    public bool TryGetUsername(out ReadOnlySpan<byte> username)
    {
        username = _username >= 0 ? ValueAt(_username) : default;
        return _username >= 0;
    }

    public bool TryGetPriority(out uint priority)
    {
        priority = _priority >= 0 ? BinaryPrimitives.ReadUInt32BigEndian(ValueAt(_priority)) : 0;
        return _priority >= 0;
    }

    /// <summary>ICE-CONTROLLING tie-breaker (RFC 8445 section 16.1).</summary>
    public bool TryGetIceControlling(out ulong tieBreaker)
    {
        tieBreaker = _iceControlling >= 0 ? BinaryPrimitives.ReadUInt64BigEndian(ValueAt(_iceControlling)) : 0;
        return _iceControlling >= 0;
    }

    /// <summary>ICE-CONTROLLED tie-breaker (RFC 8445 section 16.1).</summary>
    public bool TryGetIceControlled(out ulong tieBreaker)
    {
        tieBreaker = _iceControlled >= 0 ? BinaryPrimitives.ReadUInt64BigEndian(ValueAt(_iceControlled)) : 0;
        return _iceControlled >= 0;
    }

    /// <summary>XOR-MAPPED-ADDRESS (RFC 8489 section 14.2). False when absent or malformed.</summary>
    public bool TryGetXorMappedAddress(out TransportAddress address)
    {
        address = default;
        return _xorMappedAddress >= 0 && StunAddressCodec.TryReadXor(ValueAt(_xorMappedAddress), TransactionId, out address);
    }

    /// <summary>ERROR-CODE (RFC 8489 section 14.8): the code 300-699 and the UTF-8 reason phrase.</summary>
    public bool TryGetErrorCode(out int code, out ReadOnlySpan<byte> reasonUtf8)
    {
        code = 0;
        reasonUtf8 = default;
        if (_errorCode < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> value = ValueAt(_errorCode);
        if (value.Length < 4)
        {
            return false;
        }

        int errorClass = value[2] & 0x07;
        int number = value[3];
        if (errorClass < 3 || errorClass > 6 || number > 99)
        {
            return false;
        }

        code = (errorClass * 100) + number;
        reasonUtf8 = value[4..];
        return true;
    }

    /// <summary>First occurrence of any attribute before MESSAGE-INTEGRITY (or MESSAGE-INTEGRITY/FINGERPRINT themselves).</summary>
    public bool TryGetAttribute(ushort type, out ReadOnlySpan<byte> value)
    {
        if (type == (ushort)StunAttributeType.Fingerprint || type == (ushort)StunAttributeType.MessageIntegrity)
        {
            short at = type == (ushort)StunAttributeType.Fingerprint ? _fingerprint : _messageIntegrity;
            value = at >= 0 ? ValueAt(at) : default;
            return at >= 0;
        }

        foreach (StunAttributeView attribute in Attributes)
        {
            if (attribute.Type == type)
            {
                value = attribute.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Copies the types of the unknown comprehension-required attributes, for UNKNOWN-ATTRIBUTES; returns how many were copied.</summary>
    public int CopyUnknownComprehensionRequired(Span<ushort> destination)
    {
        int n = 0;
        foreach (StunAttributeView attribute in Attributes)
        {
            if (n == destination.Length)
            {
                break;
            }

            if (!StunConstants.IsKnownAttribute(attribute.Type))
            {
                destination[n++] = attribute.Type;
            }
        }

        return n;
    }

    /// <summary>The attributes in order, up to but not including MESSAGE-INTEGRITY, FINGERPRINT or anything ignored after MESSAGE-INTEGRITY.</summary>
    public StunAttributeEnumerator Attributes => new(_bytes, _messageIntegrity >= 0 ? _messageIntegrity : _fingerprint >= 0 ? _fingerprint : _bytes.Length);
}

/// <summary>One attribute: its type and unpadded value.</summary>
public readonly ref struct StunAttributeView
{
    public StunAttributeView(ushort type, ReadOnlySpan<byte> value)
    {
        Type = type;
        Value = value;
    }

    public ushort Type { get; }

    public ReadOnlySpan<byte> Value { get; }
}

/// <summary>Allocation-free <c>foreach</c> over attributes of a message already validated by <see cref="StunMessage.TryParse"/>.</summary>
public ref struct StunAttributeEnumerator
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _end;
    private int _next;
    private StunAttributeView _current;

    internal StunAttributeEnumerator(ReadOnlySpan<byte> bytes, int end)
    {
        _bytes = bytes;
        _end = end;
        _next = StunConstants.HeaderLength;
        _current = default;
    }

    public readonly StunAttributeView Current => _current;

    public readonly StunAttributeEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_next >= _end)
        {
            return false;
        }

        ushort type = BinaryPrimitives.ReadUInt16BigEndian(_bytes[_next..]);
        int length = BinaryPrimitives.ReadUInt16BigEndian(_bytes[(_next + 2)..]);
        _current = new StunAttributeView(type, _bytes.Slice(_next + 4, length));
        _next += 4 + ((length + 3) & ~3);
        return true;
    }
}
