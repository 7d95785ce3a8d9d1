using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Switchboard.Media.Stun;

public readonly ref partial struct StunMessage
{
    /// <summary>
    /// Checks MESSAGE-INTEGRITY (RFC 8489 section 14.5): HMAC-SHA1 with <paramref name="key"/> over the
    /// message up to the attribute, with the header length adjusted to end just after it. For short-term
    /// credentials (ICE) the key is the password's bytes; for long-term credentials it is the MD5 key of
    /// section 9.2.2, which the caller computes.
    /// </summary>
    public StunCheck CheckMessageIntegrity(ReadOnlySpan<byte> key)
    {
        if (_messageIntegrity < 0)
        {
            return StunCheck.Absent;
        }

        Span<byte> expected = stackalloc byte[StunConstants.MessageIntegrityLength];
        StunIntegrity.ComputeMessageIntegrity(key, _bytes[.._messageIntegrity], expected);
        return CryptographicOperations.FixedTimeEquals(expected, ValueAt(_messageIntegrity))
            ? StunCheck.Valid
            : StunCheck.Invalid;
    }

    /// <summary>As <see cref="CheckMessageIntegrity(ReadOnlySpan{byte})"/> with a key prepared once; the agent's hot path.</summary>
    public StunCheck CheckMessageIntegrity(StunIntegrityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_messageIntegrity < 0)
        {
            return StunCheck.Absent;
        }

        Span<byte> expected = stackalloc byte[StunConstants.MessageIntegrityLength];
        key.Compute(_bytes[.._messageIntegrity], expected);
        return CryptographicOperations.FixedTimeEquals(expected, ValueAt(_messageIntegrity))
            ? StunCheck.Valid
            : StunCheck.Invalid;
    }

    /// <summary>Checks FINGERPRINT (RFC 8489 section 14.7): CRC-32 of everything before it, xor 0x5354554E.</summary>
    public StunCheck CheckFingerprint()
    {
        if (_fingerprint < 0)
        {
            return StunCheck.Absent;
        }

        uint expected = StunCrc32.Fingerprint(_bytes[.._fingerprint]);
        return expected == BinaryPrimitives.ReadUInt32BigEndian(ValueAt(_fingerprint)) ? StunCheck.Valid : StunCheck.Invalid;
    }
}

/// <summary>The two hashes of STUN, shared by the reader and the writer.</summary>
internal static class StunIntegrity
{
    private const int StackCopyLimit = 512;

    /// <summary>
    /// HMAC-SHA1 over <paramref name="prefix"/> (header plus attributes before MESSAGE-INTEGRITY) with the
    /// header's length field replaced by the length up to the end of the MESSAGE-INTEGRITY attribute.
    /// The prefix is read-only, so it is copied (stack for typical sizes, pool above) to patch the length.
    /// </summary>
    public static void ComputeMessageIntegrity(ReadOnlySpan<byte> key, ReadOnlySpan<byte> prefix, Span<byte> destination)
    {
        ushort adjustedLength = (ushort)(prefix.Length - StunConstants.HeaderLength + 4 + StunConstants.MessageIntegrityLength);
        byte[]? rented = null;
        Span<byte> copy = prefix.Length <= StackCopyLimit
            ? stackalloc byte[StackCopyLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(prefix.Length));
        copy = copy[..prefix.Length];
        prefix.CopyTo(copy);
        BinaryPrimitives.WriteUInt16BigEndian(copy[2..], adjustedLength);
        HmacSha1(key, copy, destination);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>HMAC-SHA1 over a prefix whose header length field is already adjusted (the writer's case).</summary>
    public static void HmacSha1(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
#pragma warning disable CA5350 // HMAC-SHA1 is what MESSAGE-INTEGRITY is defined as (RFC 8489 section 14.5); browsers send nothing else.
        HMACSHA1.HashData(key, data, destination);
#pragma warning restore CA5350
    }
}
