using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Auth;

/// <summary>Digest hash algorithms for SIP (RFC 8760 section 2: MD5 for old peers, SHA-256 preferred).</summary>
public enum DigestAlgorithm
{
    Md5,
    Sha256,
}

public static class DigestAlgorithmNames
{
    public static string ToToken(this DigestAlgorithm algorithm) => algorithm == DigestAlgorithm.Sha256 ? "SHA-256" : "MD5";

    /// <summary>Parses an algorithm token; absent means MD5 (RFC 2617 section 3.2.1).</summary>
    public static bool TryParse(string? token, out DigestAlgorithm algorithm)
    {
        algorithm = DigestAlgorithm.Md5;
        if (token is null || token.Equals("MD5", StringComparison.OrdinalIgnoreCase)) return true;
        if (!token.Equals("SHA-256", StringComparison.OrdinalIgnoreCase)) return false;
        algorithm = DigestAlgorithm.Sha256;
        return true;
    }
}

/// <summary>A WWW-Authenticate or Proxy-Authenticate Digest challenge (RFC 3261 section 22.1, RFC 7616 section 3.3).</summary>
public sealed record DigestChallenge(string Realm, string Nonce, DigestAlgorithm Algorithm, string? Opaque = null, bool Stale = false, string? Qop = "auth")
{
    public string ToHeaderValue()
    {
        var sb = new StringBuilder("Digest realm=").Append(Escaping.Quote(Realm))
            .Append(", nonce=").Append(Escaping.Quote(Nonce));
        if (Opaque is not null) sb.Append(", opaque=").Append(Escaping.Quote(Opaque));
        sb.Append(", algorithm=").Append(Algorithm.ToToken());
        if (Qop is not null) sb.Append(", qop=").Append(Escaping.Quote(Qop));
        if (Stale) sb.Append(", stale=TRUE");
        return sb.ToString();
    }

    public static bool TryParse(string? headerValue, [NotNullWhen(true)] out DigestChallenge? challenge)
    {
        challenge = null;
        if (!DigestParams.TryParse(headerValue, out var p) ||
            !p.TryGetValue("realm", out var realm) || !p.TryGetValue("nonce", out var nonce) ||
            !DigestAlgorithmNames.TryParse(p.GetValueOrDefault("algorithm"), out var algorithm))
        {
            return false;
        }
        challenge = new DigestChallenge(realm, nonce, algorithm, p.GetValueOrDefault("opaque"),
            string.Equals(p.GetValueOrDefault("stale"), "true", StringComparison.OrdinalIgnoreCase), p.GetValueOrDefault("qop"));
        return true;
    }
}

/// <summary>Authorization or Proxy-Authorization Digest credentials (RFC 3261 section 22.4, RFC 7616 section 3.4).</summary>
public sealed record DigestCredentials(
    string Username,
    string Realm,
    string Nonce,
    string Uri,
    string Response,
    DigestAlgorithm Algorithm,
    string? Cnonce,
    string? NonceCount,
    string? Qop,
    string? Opaque)
{
    public string ToHeaderValue()
    {
        var sb = new StringBuilder("Digest username=").Append(Escaping.Quote(Username))
            .Append(", realm=").Append(Escaping.Quote(Realm))
            .Append(", nonce=").Append(Escaping.Quote(Nonce))
            .Append(", uri=").Append(Escaping.Quote(Uri))
            .Append(", response=").Append(Escaping.Quote(Response))
            .Append(", algorithm=").Append(Algorithm.ToToken());
        if (Cnonce is not null) sb.Append(", cnonce=").Append(Escaping.Quote(Cnonce));
        if (Opaque is not null) sb.Append(", opaque=").Append(Escaping.Quote(Opaque));
        if (Qop is not null) sb.Append(", qop=").Append(Qop);
        if (NonceCount is not null) sb.Append(", nc=").Append(NonceCount);
        return sb.ToString();
    }

    public static bool TryParse(string? headerValue, [NotNullWhen(true)] out DigestCredentials? credentials)
    {
        credentials = null;
        if (!DigestParams.TryParse(headerValue, out var p) ||
            !p.TryGetValue("username", out var username) || !p.TryGetValue("realm", out var realm) ||
            !p.TryGetValue("nonce", out var nonce) || !p.TryGetValue("uri", out var uri) ||
            !p.TryGetValue("response", out var response) ||
            !DigestAlgorithmNames.TryParse(p.GetValueOrDefault("algorithm"), out var algorithm))
        {
            return false;
        }
        credentials = new DigestCredentials(username, realm, nonce, uri, response, algorithm,
            p.GetValueOrDefault("cnonce"), p.GetValueOrDefault("nc"), p.GetValueOrDefault("qop"), p.GetValueOrDefault("opaque"));
        return true;
    }

    /// <summary>The nonce-count as a number, when present and 8 hex digits.</summary>
    public bool TryGetNonceCount(out uint nc) =>
        uint.TryParse(NonceCount, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out nc) && NonceCount!.Length == 8;
}

/// <summary>Parses "Digest" followed by comma-separated auth-params (name=token or name="quoted").</summary>
internal static class DigestParams
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out Dictionary<string, string>? result)
    {
        result = null;
        if (value is null) return false;
        var s = value.AsSpan().Trim();
        if (!s.StartsWith("Digest", StringComparison.OrdinalIgnoreCase) || s.Length <= 6 || !char.IsWhiteSpace(s[6])) return false;
        s = s[6..];
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            s = s.TrimStart();
            if (s.IsEmpty) break;
            var eq = s.IndexOf('=');
            if (eq <= 0) return false;
            var name = KnownName(s[..eq].Trim());
            s = s[(eq + 1)..].TrimStart();
            string val;
            if (!s.IsEmpty && s[0] == '"')
            {
                var i = 1;
                var escaped = false;
                for (; i < s.Length && s[i] != '"'; i++)
                {
                    if (s[i] == '\\' && i + 1 < s.Length)
                    {
                        escaped = true;
                        i++;
                    }
                }
                if (i >= s.Length) return false;
                val = escaped ? Unescape(s[1..i]) : s[1..i].ToString();
                s = s[(i + 1)..];
            }
            else
            {
                var end = s.IndexOf(',');
                val = (end < 0 ? s : s[..end]).Trim().ToString();
                s = end < 0 ? [] : s[end..];
            }
            if (!d.TryAdd(name, val)) return false;
            s = s.TrimStart();
            if (s.IsEmpty) break;
            if (s[0] != ',') return false;
            s = s[1..];
        }
        result = d;
        return true;
    }

    /// <summary>The auth-param names of RFC 7616 section 3.4 as shared strings; others as new ones.</summary>
    private static string KnownName(ReadOnlySpan<char> name)
    {
        foreach (var known in (ReadOnlySpan<string>)["username", "realm", "nonce", "uri", "response", "algorithm", "cnonce", "nc", "qop", "opaque", "stale", "domain", "userhash"])
        {
            if (name.Equals(known, StringComparison.OrdinalIgnoreCase)) return known;
        }

        return name.ToString();
    }

    /// <summary>A quoted-string's content with its quoted-pairs undone (RFC 3261 section 25.1).</summary>
    private static string Unescape(ReadOnlySpan<char> quoted)
    {
        // Almost every value (nonce, uri, response, cnonce, username) has no quoted-pair: then it is just the span.
        if (!quoted.Contains('\\'))
        {
            return quoted.ToString();
        }

        var sb = new StringBuilder(quoted.Length);
        for (var i = 0; i < quoted.Length; i++)
        {
            if (quoted[i] == '\\' && i + 1 < quoted.Length) i++;
            sb.Append(quoted[i]);
        }

        return sb.ToString();
    }
}
