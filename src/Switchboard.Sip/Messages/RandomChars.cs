using System.Security.Cryptography;

namespace Switchboard.Sip.Messages;

/// <summary>
/// Random characters for identifiers, from the operating system's CSPRNG as before, but drawn 256 bytes at a time per
/// thread. <see cref="RandomNumberGenerator.GetItems{T}(ReadOnlySpan{T}, Span{T})"/> with an alphabet whose size is not a
/// power of two asks the generator once per character (OpenSSL's DRBG, with a <c>getpid</c> system call each time), so a
/// call's branches, tags and Call-ID cost about a hundred of those: 3-4 % of the PBX's CPU at 1,000 calls a second
/// (docs/benchmarks-sip-load.md). Rejection sampling keeps every character equally likely (RFC 3261 section 19.3 asks
/// for cryptographically random tags; bytes at or above the largest multiple of the alphabet's size are skipped, so
/// there is no modulo bias).
/// </summary>
internal static class RandomChars
{
    private const int PoolSize = 256;

    [ThreadStatic]
    private static byte[]? t_pool;

    [ThreadStatic]
    private static int t_next;

    /// <summary>Fills <paramref name="destination"/> with characters of <paramref name="alphabet"/> (2-256 of them), each equally likely.</summary>
    public static void Fill(ReadOnlySpan<char> alphabet, Span<char> destination)
    {
        if (alphabet.Length is < 2 or > PoolSize)
        {
            throw new ArgumentOutOfRangeException(nameof(alphabet), "The alphabet must have 2 to 256 characters.");
        }

        var pool = t_pool;
        var next = t_next;
        if (pool is null)
        {
            t_pool = pool = new byte[PoolSize];
            next = PoolSize;
        }

        var limit = PoolSize - (PoolSize % alphabet.Length);
        for (var i = 0; i < destination.Length;)
        {
            if (next == PoolSize)
            {
                RandomNumberGenerator.Fill(pool);
                next = 0;
            }

            var b = pool[next];
            pool[next++] = 0;
            if (b < limit)
            {
                destination[i++] = alphabet[b % alphabet.Length];
            }
        }

        t_next = next;
    }
}
