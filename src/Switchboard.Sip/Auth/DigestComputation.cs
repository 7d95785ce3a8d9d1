using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Sip.Auth;

/// <summary>The digest arithmetic of RFC 2617 section 3.2.2 / RFC 7616 section 3.4.1 with qop=auth (or none).</summary>
public static class DigestComputation
{
    /// <summary>HA1 = H(username ":" realm ":" password), lower-case hex. Store this instead of the password if you can.</summary>
    public static string Ha1(DigestAlgorithm algorithm, string username, string realm, string password) =>
        Hash(algorithm, $"{username}:{realm}:{password}");

    /// <summary>request-digest from HA1; with qop: H(HA1:nonce:nc:cnonce:qop:HA2), without: H(HA1:nonce:HA2); HA2 = H(method:uri).</summary>
    public static string Response(DigestAlgorithm algorithm, string ha1, string method, string uri, string nonce, string? nc, string? cnonce, string? qop)
    {
        var ha2 = Hash(algorithm, $"{method}:{uri}");
        return qop is null
            ? Hash(algorithm, $"{ha1}:{nonce}:{ha2}")
            : Hash(algorithm, $"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}");
    }

    public static string Hash(DigestAlgorithm algorithm, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
#pragma warning disable CA5351 // MD5 is what RFC 3261 digest requires for old peers (RFC 8760 keeps it for compatibility).
        var hash = algorithm == DigestAlgorithm.Sha256 ? SHA256.HashData(bytes) : MD5.HashData(bytes);
#pragma warning restore CA5351
        return Convert.ToHexStringLower(hash);
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
