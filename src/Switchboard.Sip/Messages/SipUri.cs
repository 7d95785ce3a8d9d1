using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Messages;

/// <summary>
/// A URI as used by SIP (RFC 3261 section 19.1). SIP and SIPS URIs are split into user, password, host, port,
/// parameters and headers with escapes decoded; other schemes keep their opaque text.
/// </summary>
public sealed class SipUri : IEquatable<SipUri>
{
    private readonly string _text;

    private SipUri(string text, string scheme)
    {
        _text = text;
        Scheme = scheme;
    }

    /// <summary>Lower-case scheme ("sip", "sips", "tel", ...).</summary>
    public string Scheme { get; }

    public bool IsSip => Scheme is "sip" or "sips";

    public bool IsSecure => Scheme == "sips";

    /// <summary>User part with escapes decoded, or null.</summary>
    public string? User { get; private init; }

    public string? Password { get; private init; }

    /// <summary>Host as written: a name, IPv4 address or bracketed IPv6 reference. Empty for non-SIP URIs.</summary>
    public string Host { get; private init; } = "";

    public int? Port { get; private init; }

    public IReadOnlyList<SipParameter> Parameters { get; private init; } = [];

    public IReadOnlyList<SipParameter> Headers { get; private init; } = [];

    /// <summary>For non-SIP schemes: the text after "scheme:".</summary>
    public string? Opaque { get; private init; }

    public string? Transport => Parameters.Get("transport");

    /// <summary>The "lr" parameter of a loose router (RFC 3261 section 19.1.1).</summary>
    public bool IsLooseRouter => Parameters.Has("lr");

    public string? MAddr => Parameters.Get("maddr");

    /// <summary>host[:port].</summary>
    public string HostPort => Port is { } p ? $"{Host}:{p.ToString(CultureInfo.InvariantCulture)}" : Host;

    public static SipUri Parse(string text) =>
        TryParse(text, out var uri) ? uri : throw new FormatException($"Not a valid URI: '{text}'.");

    public static bool TryParse(string? text, [NotNullWhen(true)] out SipUri? uri)
    {
        uri = null;
        if (string.IsNullOrEmpty(text)) return false;
        var bytes = Encoding.UTF8.GetBytes(text);
        return TryParse(bytes, text, out uri);
    }

    internal static bool TryParse(ReadOnlySpan<byte> s, string? text, [NotNullWhen(true)] out SipUri? uri)
    {
        uri = null;
        if (!UriSyntax.TryParse(s, out var r)) return false;
        uri = FromRanges(s, r, text ?? Encoding.UTF8.GetString(s));
        return true;
    }

    internal static SipUri FromRanges(ReadOnlySpan<byte> s, in UriRanges r, string text)
    {
        var schemeBytes = s.Slice(r.Scheme.Start, r.Scheme.Length);
        var scheme = SipSyntax.EqualsIgnoreCase(schemeBytes, "sip"u8) ? "sip"
            : SipSyntax.EqualsIgnoreCase(schemeBytes, "sips"u8) ? "sips"
            : Encoding.ASCII.GetString(schemeBytes).ToLowerInvariant();
        if (!r.IsSip)
        {
            return new SipUri(text, scheme) { Opaque = Encoding.UTF8.GetString(s.Slice(r.Opaque.Start, r.Opaque.Length)) };
        }
        return new SipUri(text, scheme)
        {
            User = r.HasUser ? Escaping.Unescape(s.Slice(r.User.Start, r.User.Length)) : null,
            Password = r.HasPassword ? Escaping.Unescape(s.Slice(r.Password.Start, r.Password.Length)) : null,
            Host = Encoding.ASCII.GetString(s.Slice(r.Host.Start, r.Host.Length)),
            Port = r.Port >= 0 ? r.Port : null,
            Parameters = SplitPairs(s.Slice(r.Params.Start, r.Params.Length), (byte)';'),
            Headers = SplitPairs(s.Slice(r.Headers.Start, r.Headers.Length), (byte)'&'),
        };
    }

    private static SipParameter[] SplitPairs(ReadOnlySpan<byte> s, byte separator)
    {
        if (s.IsEmpty) return [];
        s = s[1..];
        var list = new List<SipParameter>();
        while (true)
        {
            var end = s.IndexOf(separator);
            var item = end >= 0 ? s[..end] : s;
            var eq = item.IndexOf((byte)'=');
            list.Add(eq >= 0
                ? new SipParameter(Escaping.Unescape(item[..eq]), Escaping.Unescape(item[(eq + 1)..]))
                : new SipParameter(Escaping.Unescape(item), null));
            if (end < 0) break;
            s = s[(end + 1)..];
        }
        return [.. list];
    }

    /// <summary>Makes a SIP URI from its parts, escaping the user part.</summary>
    public static SipUri Create(string? user, string host, int? port = null, bool secure = false, params SipParameter[] parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentNullException.ThrowIfNull(parameters);
        var sb = new StringBuilder(secure ? "sips:" : "sip:");
        if (!string.IsNullOrEmpty(user)) sb.Append(Escaping.EscapeUser(user)).Append('@');
        sb.Append(host);
        if (port is { } p) sb.Append(':').Append(p.ToString(CultureInfo.InvariantCulture));
        foreach (var prm in parameters) sb.Append(';').Append(prm.ToString());
        return Parse(sb.ToString());
    }

    /// <summary>The URI as it was written (or as <see cref="Create"/> built it).</summary>
    public override string ToString() => _text;

    /// <summary>Textual equality, scheme and host case-insensitive. (RFC 3261 section 19.1.4 comparison is stricter than this in parameter handling.)</summary>
    public bool Equals(SipUri? other) => other is not null &&
        (string.Equals(_text, other._text, StringComparison.Ordinal) ||
         (IsSip && other.IsSip && Scheme == other.Scheme && User == other.User &&
          string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase) && Port == other.Port &&
          Parameters.Count == 0 && other.Parameters.Count == 0 && Headers.Count == 0 && other.Headers.Count == 0));

    public override bool Equals(object? obj) => obj is SipUri u && Equals(u);

    public override int GetHashCode() => HashCode.Combine(Scheme, User, Host.ToLowerInvariant(), Port);
}
