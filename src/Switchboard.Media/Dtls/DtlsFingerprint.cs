using System.Globalization;
using System.Security.Cryptography;

namespace Switchboard.Media.Dtls;

/// <summary>
/// A certificate fingerprint as carried by SDP <c>a=fingerprint</c> (RFC 8122 section 5):
/// a hash function name and the hash as colon-separated hex pairs.
/// </summary>
public sealed record DtlsFingerprint
{
    private DtlsFingerprint(string algorithm, string value, byte[] hash)
    {
        Algorithm = algorithm;
        Value = value;
        _hash = hash;
    }

    private readonly byte[] _hash;

    /// <summary>The hash function name, lower case (<c>sha-256</c>).</summary>
    public string Algorithm { get; }

    /// <summary>The hash as upper-case hex pairs separated by colons (<c>AB:CD:...</c>).</summary>
    public string Value { get; }

    /// <summary>The attribute value as written in SDP: <c>sha-256 AB:CD:...</c>.</summary>
    public override string ToString() => Algorithm + " " + Value;

    /// <summary>Builds a fingerprint from an algorithm and a value, as found in SDP. Case-insensitive.</summary>
    public static bool TryCreate(string algorithm, string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DtlsFingerprint? fingerprint)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(value);
        fingerprint = null;
        string alg = algorithm.Trim().ToLowerInvariant();
        int expectedLength = HashLength(alg);
        if (expectedLength == 0)
        {
            return false;
        }

        if (!TryParseHex(value.AsSpan().Trim(), out byte[]? hash) || hash.Length != expectedLength)
        {
            return false;
        }

        fingerprint = new DtlsFingerprint(alg, FormatHex(hash), hash);
        return true;
    }

    /// <summary>Parses the value of an SDP <c>a=fingerprint</c> attribute: <c>hash-func SP fingerprint</c>.</summary>
    public static bool TryParse(string attributeValue, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DtlsFingerprint? fingerprint)
    {
        ArgumentNullException.ThrowIfNull(attributeValue);
        fingerprint = null;
        string trimmed = attributeValue.Trim();
        int space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            return false;
        }

        return TryCreate(trimmed[..space], trimmed[(space + 1)..], out fingerprint);
    }

    /// <summary>Computes the fingerprint of a DER-encoded certificate with the given hash function.</summary>
    public static DtlsFingerprint Compute(ReadOnlySpan<byte> derCertificate, string algorithm = "sha-256")
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        string alg = algorithm.Trim().ToLowerInvariant();
        byte[] hash = Hash(alg, derCertificate)
            ?? throw new ArgumentException($"Unsupported fingerprint hash function '{algorithm}'.", nameof(algorithm));
        return new DtlsFingerprint(alg, FormatHex(hash), hash);
    }

    /// <summary>
    /// True when the DER-encoded certificate hashes to this fingerprint. The hash comparison is
    /// constant-time; the algorithm name is compared case-insensitively.
    /// </summary>
    public bool Matches(ReadOnlySpan<byte> derCertificate)
    {
        byte[]? actual = Hash(Algorithm, derCertificate);
        return actual is not null && CryptographicOperations.FixedTimeEquals(actual, _hash);
    }

    /// <summary>
    /// RFC 8122 section 5: with several fingerprints, use those of the strongest hash function we
    /// support and accept the certificate if it matches one of them.
    /// </summary>
    public static bool MatchesAny(IReadOnlyList<DtlsFingerprint> expected, ReadOnlySpan<byte> derCertificate)
    {
        ArgumentNullException.ThrowIfNull(expected);
        int strongest = 0;
        foreach (DtlsFingerprint f in expected)
        {
            strongest = Math.Max(strongest, HashLength(f.Algorithm));
        }

        bool match = false;
        foreach (DtlsFingerprint f in expected)
        {
            if (HashLength(f.Algorithm) == strongest)
            {
                match |= f.Matches(derCertificate);
            }
        }

        return match;
    }

    /// <summary>Equality is by algorithm and hash bytes.</summary>
    public bool Equals(DtlsFingerprint? other) =>
        other is not null && Algorithm == other.Algorithm && _hash.AsSpan().SequenceEqual(other._hash);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Algorithm, Value);

    private static int HashLength(string algorithm) => algorithm switch
    {
        "sha-1" => 20,
        "sha-256" => 32,
        "sha-384" => 48,
        "sha-512" => 64,
        _ => 0,
    };

    private static byte[]? Hash(string algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
#pragma warning disable CA5350 // RFC 8122 allows sha-1 fingerprints from peers; we only verify, never emit them.
        "sha-1" => SHA1.HashData(data),
#pragma warning restore CA5350
        "sha-256" => SHA256.HashData(data),
        "sha-384" => SHA384.HashData(data),
        "sha-512" => SHA512.HashData(data),
        _ => null,
    };

    private static bool TryParseHex(ReadOnlySpan<char> text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (text.Length < 2 || (text.Length + 1) % 3 != 0)
        {
            return false;
        }

        var result = new byte[(text.Length + 1) / 3];
        for (int i = 0; i < result.Length; i++)
        {
            int at = i * 3;
            if (at + 2 < text.Length && text[at + 2] != ':')
            {
                return false;
            }

            if (!byte.TryParse(text.Slice(at, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out result[i]))
            {
                return false;
            }
        }

        bytes = result;
        return true;
    }

    private static string FormatHex(byte[] hash)
    {
        return string.Create(hash.Length * 3 - 1, hash, static (dst, h) =>
        {
            const string digits = "0123456789ABCDEF";
            for (int i = 0; i < h.Length; i++)
            {
                int at = i * 3;
                dst[at] = digits[h[i] >> 4];
                dst[at + 1] = digits[h[i] & 0xF];
                if (at + 2 < dst.Length)
                {
                    dst[at + 2] = ':';
                }
            }
        });
    }
}
