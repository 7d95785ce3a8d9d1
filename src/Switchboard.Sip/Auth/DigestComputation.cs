using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Sip.Auth;

/// <summary>The digest arithmetic of RFC 2617 section 3.2.2 / RFC 7616 section 3.4.1 with qop=auth (or none).</summary>
public static class DigestComputation
{
    /// <summary>Hex digits of the longest hash (SHA-256).</summary>
    internal const int MaxHexLength = 64;

    /// <summary>HA1 = H(username ":" realm ":" password), lower-case hex. Store this instead of the password if you can.</summary>
    public static string Ha1(DigestAlgorithm algorithm, string username, string realm, string password)
    {
        Span<byte> hex = stackalloc byte[MaxHexLength];
        var input = new DigestInput(stackalloc byte[256]);
        input.Add(username);
        input.Colon();
        input.Add(realm);
        input.Colon();
        input.Add(password);
        var n = input.HashHex(algorithm, hex);
        return Encoding.ASCII.GetString(hex[..n]);
    }

    /// <summary>request-digest from HA1; with qop: H(HA1:nonce:nc:cnonce:qop:HA2), without: H(HA1:nonce:HA2); HA2 = H(method:uri).</summary>
    public static string Response(DigestAlgorithm algorithm, string ha1, string method, string uri, string nonce, string? nc, string? cnonce, string? qop)
    {
        Span<byte> hex = stackalloc byte[MaxHexLength];
        var n = Response(algorithm, ha1, method, uri, nonce, nc, cnonce, qop, hex);
        return Encoding.ASCII.GetString(hex[..n]);
    }

    /// <summary>The request-digest as lower-case hex into <paramref name="destination"/> (at least <see cref="MaxHexLength"/> bytes); its length.</summary>
    internal static int Response(DigestAlgorithm algorithm, string ha1, string method, string uri, string nonce, string? nc, string? cnonce, string? qop, Span<byte> destination)
    {
        Span<byte> ha2 = stackalloc byte[MaxHexLength];
        var first = new DigestInput(stackalloc byte[256]);
        first.Add(method);
        first.Colon();
        first.Add(uri);
        var n2 = first.HashHex(algorithm, ha2);
        var input = new DigestInput(stackalloc byte[384]);
        input.Add(ha1);
        input.Colon();
        input.Add(nonce);
        input.Colon();
        if (qop is not null)
        {
            input.Add(nc);
            input.Colon();
            input.Add(cnonce);
            input.Colon();
            input.Add(qop);
            input.Colon();
        }

        input.Add(ha2[..n2]);
        return input.HashHex(algorithm, destination);
    }

    public static string Hash(DigestAlgorithm algorithm, string text)
    {
        Span<byte> hex = stackalloc byte[MaxHexLength];
        var input = new DigestInput(stackalloc byte[256]);
        input.Add(text);
        var n = input.HashHex(algorithm, hex);
        return Encoding.ASCII.GetString(hex[..n]);
    }

    /// <summary>Whether a hex digest equals <paramref name="response"/>, ignoring its case, in time independent of where they differ.</summary>
    internal static bool HexEqualsIgnoreCase(ReadOnlySpan<byte> expected, string response)
    {
        if (response.Length != expected.Length)
        {
            return false;
        }

        var difference = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            difference |= expected[i] ^ (char.ToLowerInvariant(response[i]) & 0xFFFF);
        }

        return difference == 0;
    }

    /// <summary>The text a digest hashes, gathered as UTF-8 in a stack buffer (a pooled array when it grows past it).</summary>
    private ref struct DigestInput
    {
        private Span<byte> _buffer;
        private byte[]? _pooled;
        private int _length;

        public DigestInput(Span<byte> buffer)
        {
            _buffer = buffer;
        }

        public void Colon() => Add(":"u8);

        public void Add(string? text)
        {
            if (text is null)
            {
                return;
            }

            Grow(Encoding.UTF8.GetMaxByteCount(text.Length));
            _length += Encoding.UTF8.GetBytes(text, _buffer[_length..]);
        }

        public void Add(ReadOnlySpan<byte> bytes)
        {
            Grow(bytes.Length);
            bytes.CopyTo(_buffer[_length..]);
            _length += bytes.Length;
        }

        /// <summary>The hash as lower-case hex into <paramref name="destination"/>; its length. Returns a pooled buffer.</summary>
        public readonly int HashHex(DigestAlgorithm algorithm, Span<byte> destination)
        {
            Span<byte> hash = stackalloc byte[32];
#pragma warning disable CA5351 // MD5 is what RFC 3261 digest requires for old peers (RFC 8760 keeps it for compatibility).
            var n = algorithm == DigestAlgorithm.Sha256 ? SHA256.HashData(_buffer[.._length], hash) : MD5.HashData(_buffer[.._length], hash);
#pragma warning restore CA5351
            Convert.TryToHexStringLower(hash[..n], destination, out var written);
            if (_pooled is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(_pooled);
            }

            return written;
        }

        private void Grow(int more)
        {
            if (_length + more <= _buffer.Length)
            {
                return;
            }

            var bigger = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
            _buffer[.._length].CopyTo(bigger);
            if (_pooled is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(_pooled);
            }

            _pooled = bigger;
            _buffer = bigger;
        }
    }
}

/// <summary>The client side: answers a challenge (for trunks registering upstream, and for tests).</summary>
public static class DigestClient
{
    /// <summary>Builds credentials for <paramref name="challenge"/>; <paramref name="cnonce"/> should be random per nonce, <paramref name="nonceCount"/> counts up from 1.</summary>
    public static DigestCredentials Answer(DigestChallenge challenge, string username, string password, string method, string uri, string cnonce, uint nonceCount)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var qop = challenge.Qop is { } q && q.Split(',', StringSplitOptions.TrimEntries).Contains("auth") ? "auth" : null;
        var nc = qop is null ? null : nonceCount.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        var c = qop is null ? null : cnonce;
        var ha1 = DigestComputation.Ha1(challenge.Algorithm, username, challenge.Realm, password);
        var response = DigestComputation.Response(challenge.Algorithm, ha1, method, uri, challenge.Nonce, nc, c, qop);
        return new DigestCredentials(username, challenge.Realm, challenge.Nonce, uri, response, challenge.Algorithm, c, nc, qop, challenge.Opaque);
    }
}
