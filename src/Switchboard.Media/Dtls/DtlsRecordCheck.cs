using System.Buffers.Binary;
using Org.BouncyCastle.Tls;

namespace Switchboard.Media.Dtls;

/// <summary>
/// Protected records BouncyCastle would end an association on instead of discarding them. RFC 6347 section 4.1.2.7:
/// an invalid record SHOULD be silently discarded, so that one forged datagram from the peer's address cannot end the
/// association. BouncyCastle 2.x discards a protected record that fails authentication, but raises decode_error for one
/// too short to hold the cipher's explicit nonce and tag (found by the <c>dtls</c> fuzz target, docs/benchmarks-fuzz.md),
/// so a datagram holding such a record is dropped before BouncyCastle sees it. No allocation: it only reads headers.
/// </summary>
internal static class DtlsRecordCheck
{
    /// <summary>Type, version, epoch, 48-bit sequence number, length (RFC 6347 section 4.1).</summary>
    private const int HeaderLength = 13;

    /// <summary>
    /// The shortest fragment a protected record of <paramref name="cipherSuite"/> has: AES-GCM's 8-byte explicit nonce
    /// and 16-byte tag (RFC 5288 section 3), ChaCha20-Poly1305's tag alone (RFC 7905 section 2); 0 (check nothing) for
    /// a suite we do not offer.
    /// </summary>
    public static int MinimumProtectedFragment(int cipherSuite) => cipherSuite switch
    {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 or CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => 8 + 16,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => 16,
        _ => 0,
    };

    /// <summary>Whether a record of the datagram is protected (epoch above 0) and shorter than <paramref name="minimumFragment"/>.</summary>
    public static bool HasUndersizedProtectedRecord(ReadOnlySpan<byte> datagram, int minimumFragment)
    {
        while (datagram.Length >= HeaderLength)
        {
            int epoch = BinaryPrimitives.ReadUInt16BigEndian(datagram[3..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]);
            if (epoch != 0 && length < minimumFragment)
            {
                return true;
            }

            if (length > datagram.Length - HeaderLength)
            {
                // Not a whole record: BouncyCastle discards the rest of the datagram itself.
                return false;
            }

            datagram = datagram[(HeaderLength + length)..];
        }

        return false;
    }
}
