using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Switchboard.Media.Stun;

/// <summary>
/// A MESSAGE-INTEGRITY key prepared once: an HMAC-SHA1 context keyed at construction and reset after
/// each use, so a check or a response does not pay for key setup (the one-shot
/// <see cref="HMACSHA1.HashData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/> costs about twice as much
/// here). One owner at a time: not thread-safe, like the agent that holds it.
/// </summary>
public sealed class StunIntegrityKey : IDisposable
{
    private readonly IncrementalHash _hmac;

    /// <param name="key">For short-term credentials (ICE) the password's bytes; for long-term ones the MD5 key of RFC 8489 section 9.2.2.</param>
    public StunIntegrityKey(ReadOnlySpan<byte> key)
    {
#pragma warning disable CA5350 // HMAC-SHA1 is what MESSAGE-INTEGRITY is defined as (RFC 8489 section 14.5).
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);
#pragma warning restore CA5350
    }

    /// <summary>
    /// HMAC over <paramref name="prefix"/> (header plus attributes before MESSAGE-INTEGRITY) with the header
    /// length replaced by the length up to the end of MESSAGE-INTEGRITY. Nothing is copied but the header.
    /// </summary>
    internal void Compute(ReadOnlySpan<byte> prefix, Span<byte> destination)
    {
        Span<byte> header = stackalloc byte[StunConstants.HeaderLength];
        prefix[..StunConstants.HeaderLength].CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(
            header[2..],
            (ushort)(prefix.Length - StunConstants.HeaderLength + 4 + StunConstants.MessageIntegrityLength));
        _hmac.AppendData(header);
        _hmac.AppendData(prefix[StunConstants.HeaderLength..]);
        _hmac.GetHashAndReset(destination);
    }

    public void Dispose() => _hmac.Dispose();
}
