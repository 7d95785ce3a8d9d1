using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Sip.Auth;

public enum DigestVerifyStatus
{
    Ok,

    /// <summary>The nonce expired but the response was right: challenge again with stale=true (RFC 7616 section 3.3).</summary>
    Stale,

    /// <summary>The nonce was not made by this server (or with another key): challenge again.</summary>
    InvalidNonce,

    /// <summary>The response does not match: wrong password (or user) — count it for lockouts.</summary>
    WrongResponse,

    /// <summary>The nonce-count did not increase: a replay.</summary>
    Replay,

    /// <summary>Credentials lack qop=auth, nc or cnonce, or their realm or algorithm is not ours.</summary>
    Malformed,
}

public sealed record DigestServerOptions
{
    /// <summary>How long a nonce is accepted after it was issued.</summary>
    public TimeSpan NonceLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>At most this many nonces have their nonce-count remembered; older ones are forced stale when pushed out.</summary>
    public int MaxTrackedNonces { get; init; } = 10_000;
}

/// <summary>
/// Server side of SIP digest authentication (RFC 3261 section 22, RFC 7616, RFC 8760). Nonces carry their issue time and an
/// HMAC so they are checked without storing them; only nonce-counts of recently used nonces are kept (bounded).
/// Time is a parameter. Not thread-safe: use one per serialized loop, or lock around it.
/// </summary>
public sealed class DigestServer
{
    private const int NonceBytes = 8 + 8 + 16;
    private readonly byte[] _key;
    private readonly DigestServerOptions _options;
    private readonly Dictionary<string, (uint Nc, long IssuedMs)> _counts = new(StringComparer.Ordinal);
    private readonly Queue<(string Nonce, long IssuedMs)> _order = new();
    private long _evictedUpToMs = long.MinValue;

    /// <param name="key">A secret of at least 32 random bytes, e.g. from the sealed settings store.</param>
    public DigestServer(ReadOnlySpan<byte> key, DigestServerOptions? options = null)
    {
        if (key.Length < 32) throw new ArgumentException("Use a key of at least 32 bytes.", nameof(key));
        _key = key.ToArray();
        _options = options ?? new DigestServerOptions();
    }

    /// <summary>Issues a nonce bound to <paramref name="realm"/> and <paramref name="now"/>.</summary>
    public string CreateNonce(string realm, DateTimeOffset now)
    {
        Span<byte> nonce = stackalloc byte[NonceBytes];
        BinaryPrimitives.WriteInt64BigEndian(nonce, now.ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(nonce.Slice(8, 8));
        Mac(realm, nonce[..16], nonce[16..]);
        return Base64Url(nonce);
    }

    /// <summary>Challenges to send, one header value each, SHA-256 first then MD5 (RFC 8760 section 2.4), sharing one nonce.</summary>
    public IReadOnlyList<DigestChallenge> CreateChallenges(string realm, DateTimeOffset now, bool stale = false) =>
        CreateChallenges(realm, now, [DigestAlgorithm.Sha256, DigestAlgorithm.Md5], stale);

    /// <summary>One challenge per algorithm, in the order given (RFC 8760 section 2.4: most preferred first), sharing one nonce.</summary>
    public IReadOnlyList<DigestChallenge> CreateChallenges(string realm, DateTimeOffset now, IReadOnlyList<DigestAlgorithm> algorithms, bool stale = false)
    {
        ArgumentNullException.ThrowIfNull(algorithms);
        var nonce = CreateNonce(realm, now);
        var challenges = new DigestChallenge[algorithms.Count];
        for (var i = 0; i < challenges.Length; i++)
        {
            challenges[i] = new DigestChallenge(realm, nonce, algorithms[i], Stale: stale);
        }

        return challenges;
    }

    /// <summary>Verifies credentials against a password.</summary>
    public DigestVerifyStatus Verify(DigestCredentials credentials, string method, string realm, string password, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return VerifyWithHa1(credentials, method, realm, DigestComputation.Ha1(credentials.Algorithm, credentials.Username, realm, password), now);
    }

    /// <summary>Verifies credentials against a stored HA1 for the credentials' algorithm.</summary>
    public DigestVerifyStatus VerifyWithHa1(DigestCredentials credentials, string method, string realm, string ha1, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(method);
        if (!string.Equals(credentials.Realm, realm, StringComparison.Ordinal) || credentials.Qop != "auth" ||
            credentials.Cnonce is null || !credentials.TryGetNonceCount(out var nc))
        {
            return DigestVerifyStatus.Malformed;
        }
        if (!TryReadNonce(credentials.Nonce, realm, out var issuedMs)) return DigestVerifyStatus.InvalidNonce;
        Span<byte> expected = stackalloc byte[DigestComputation.MaxHexLength];
        var length = DigestComputation.Response(credentials.Algorithm, ha1, method, credentials.Uri, credentials.Nonce, credentials.NonceCount, credentials.Cnonce, credentials.Qop, expected);
        if (!DigestComputation.HexEqualsIgnoreCase(expected[..length], credentials.Response))
        {
            return DigestVerifyStatus.WrongResponse;
        }
        var age = now.ToUnixTimeMilliseconds() - issuedMs;
        if (age > _options.NonceLifetime.TotalMilliseconds || age < -60_000) return DigestVerifyStatus.Stale;
        return CheckCount(credentials.Nonce, issuedMs, nc, now);
    }

    private DigestVerifyStatus CheckCount(string nonce, long issuedMs, uint nc, DateTimeOffset now)
    {
        if (_counts.TryGetValue(nonce, out var seen))
        {
            if (nc <= seen.Nc) return DigestVerifyStatus.Replay;
            _counts[nonce] = (nc, issuedMs);
            return DigestVerifyStatus.Ok;
        }
        // A nonce we may have forgotten: make the client fetch a fresh one rather than risk a replay.
        if (issuedMs <= _evictedUpToMs) return DigestVerifyStatus.Stale;
        if (_counts.Count >= _options.MaxTrackedNonces) Evict(now);
        _counts[nonce] = (nc, issuedMs);
        _order.Enqueue((nonce, issuedMs));
        return DigestVerifyStatus.Ok;
    }

    private void Evict(DateTimeOffset now)
    {
        var expiredBefore = now.ToUnixTimeMilliseconds() - (long)_options.NonceLifetime.TotalMilliseconds;
        while (_order.TryPeek(out var oldest) && (_counts.Count >= _options.MaxTrackedNonces || oldest.IssuedMs < expiredBefore))
        {
            _order.Dequeue();
            _counts.Remove(oldest.Nonce);
            if (oldest.IssuedMs >= expiredBefore) _evictedUpToMs = Math.Max(_evictedUpToMs, oldest.IssuedMs);
        }
    }

    private bool TryReadNonce(string nonce, string realm, out long issuedMs)
    {
        issuedMs = 0;
        Span<byte> raw = stackalloc byte[NonceBytes + 3];
        if (nonce.Length != 43 || !TryFromBase64Url(nonce, raw, out var n) || n != NonceBytes) return false;
        Span<byte> mac = stackalloc byte[16];
        Mac(realm, raw[..16], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, raw.Slice(16, 16))) return false;
        issuedMs = BinaryPrimitives.ReadInt64BigEndian(raw);
        return true;
    }

    private void Mac(string realm, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[256];
        var realmLength = Encoding.UTF8.GetMaxByteCount(realm.Length) <= input.Length - data.Length
            ? Encoding.UTF8.GetBytes(realm, input[data.Length..])
            : -1;
        Span<byte> full = stackalloc byte[32];
        if (realmLength >= 0)
        {
            data.CopyTo(input);
            HMACSHA256.HashData(_key, input[..(data.Length + realmLength)], full);
        }
        else
        {
            var bytes = new byte[data.Length + Encoding.UTF8.GetByteCount(realm)];
            data.CopyTo(bytes);
            Encoding.UTF8.GetBytes(realm, bytes.AsSpan(data.Length));
            HMACSHA256.HashData(_key, bytes, full);
        }

        full[..destination.Length].CopyTo(destination);
    }

    private static string Base64Url(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    private static bool TryFromBase64Url(string s, Span<byte> destination, out int written) =>
        System.Buffers.Text.Base64Url.TryDecodeFromChars(s, destination, out written);
}
