namespace Switchboard.Sip.Parsing;

/// <summary>Offsets of the parts of a URI inside the parsed span (RFC 3261 sections 19.1.1 and 25.1).</summary>
internal struct UriRanges
{
    public bool IsSip;
    public bool IsSecure;
    public (int Start, int Length) Scheme;
    public (int Start, int Length) User;
    public (int Start, int Length) Password;
    public bool HasUser;
    public bool HasPassword;
    public (int Start, int Length) Host;
    public int Port;
    public (int Start, int Length) Params;
    public (int Start, int Length) Headers;
    public (int Start, int Length) Opaque;
}

internal static class UriSyntax
{
    /// <summary>Parses a complete URI (no surrounding whitespace). SIP and SIPS URIs are checked strictly, other schemes loosely.</summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out UriRanges r)
    {
        r = default;
        r.Port = -1;
        var colon = s.IndexOf((byte)':');
        if (colon <= 0 || !SipSyntax.IsAlpha(s[0])) return false;
        for (var i = 1; i < colon; i++)
        {
            var b = s[i];
            if (!(SipSyntax.IsAlpha(b) || SipSyntax.IsDigit(b) || b is (byte)'+' or (byte)'-' or (byte)'.')) return false;
        }
        r.Scheme = (0, colon);
        var scheme = s[..colon];
        r.IsSip = SipSyntax.EqualsIgnoreCase(scheme, "sip"u8);
        r.IsSecure = SipSyntax.EqualsIgnoreCase(scheme, "sips"u8);
        if (!r.IsSip && !r.IsSecure)
        {
            return TryParseOpaque(s, colon + 1, ref r);
        }
        r.IsSip = true;
        var p = colon + 1;
        var rest = s[p..];
        var at = rest.IndexOf((byte)'@');
        if (at >= 0)
        {
            var userinfo = rest[..at];
            var pw = userinfo.IndexOf((byte)':');
            var user = pw >= 0 ? userinfo[..pw] : userinfo;
            if (user.IsEmpty || !SipSyntax.IsEscapedRun(user, CharClass.User)) return false;
            r.HasUser = true;
            r.User = (p, user.Length);
            if (pw >= 0)
            {
                var password = userinfo[(pw + 1)..];
                if (!SipSyntax.IsEscapedRun(password, CharClass.Password)) return false;
                r.HasPassword = true;
                r.Password = (p + pw + 1, password.Length);
            }
            p += at + 1;
        }
        if (!TryParseHostPort(s, ref p, out r.Host, out r.Port)) return false;
        if (p < s.Length && s[p] == ';')
        {
            var start = p;
            while (p < s.Length && s[p] == ';')
            {
                p++;
                var nameStart = p;
                while (p < s.Length && s[p] is not ((byte)';' or (byte)'?' or (byte)'=')) p++;
                if (p == nameStart || !SipSyntax.IsEscapedRun(s[nameStart..p], CharClass.Param)) return false;
                if (p < s.Length && s[p] == '=')
                {
                    p++;
                    var valueStart = p;
                    while (p < s.Length && s[p] is not ((byte)';' or (byte)'?')) p++;
                    if (p == valueStart || !SipSyntax.IsEscapedRun(s[valueStart..p], CharClass.Param)) return false;
                }
            }
            r.Params = (start, p - start);
        }
        if (p < s.Length && s[p] == '?')
        {
            var start = p;
            p++;
            while (true)
            {
                var nameStart = p;
                while (p < s.Length && s[p] is not ((byte)'=' or (byte)'&')) p++;
                if (p == nameStart || p >= s.Length || s[p] != '=' || !SipSyntax.IsEscapedRun(s[nameStart..p], CharClass.Header)) return false;
                p++;
                var valueStart = p;
                while (p < s.Length && s[p] != '&') p++;
                if (!SipSyntax.IsEscapedRun(s[valueStart..p], CharClass.Header)) return false;
                if (p >= s.Length) break;
                p++;
            }
            r.Headers = (start, p - start);
        }
        return p == s.Length;
    }

    private static bool TryParseOpaque(ReadOnlySpan<byte> s, int p, ref UriRanges r)
    {
        if (p >= s.Length) return false;
        for (var i = p; i < s.Length; i++)
        {
            var b = s[i];
            if (b <= 0x20 || b >= 0x7F || b is (byte)'<' or (byte)'>' or (byte)'"' or (byte)'\\') return false;
            if (b == '%' && (i + 2 >= s.Length || !SipSyntax.IsHex(s[i + 1]) || !SipSyntax.IsHex(s[i + 2]))) return false;
        }
        r.Opaque = (p, s.Length - p);
        return true;
    }

    /// <summary>host [":" port] where host is a hostname, IPv4 address or bracketed IPv6 reference (RFC 5118).</summary>
    public static bool TryParseHostPort(ReadOnlySpan<byte> s, ref int p, out (int Start, int Length) host, out int port)
    {
        host = default;
        port = -1;
        var start = p;
        if (p < s.Length && s[p] == '[')
        {
            var close = s[p..].IndexOf((byte)']');
            if (close < 0 || !IsIpv6(s.Slice(p + 1, close - 1))) return false;
            p += close + 1;
        }
        else
        {
            while (p < s.Length && (SipSyntax.IsAlpha(s[p]) || SipSyntax.IsDigit(s[p]) || s[p] is (byte)'-' or (byte)'.')) p++;
            if (p == start) return false;
        }
        host = (start, p - start);
        if (p < s.Length && s[p] == ':')
        {
            p++;
            var portStart = p;
            while (p < s.Length && SipSyntax.IsDigit(s[p])) p++;
            if (!SipSyntax.TryParseUInt(s[portStart..p], 65535, out var v)) return false;
            port = (int)v;
        }
        return true;
    }

    /// <summary>IPv6address of RFC 3261 section 25.1 (hex groups, at most one "::", optional trailing IPv4).</summary>
    public static bool IsIpv6(ReadOnlySpan<byte> s)
    {
        if (s.Length < 2) return false;
        var doubleColon = s.IndexOf("::"u8);
        if (doubleColon >= 0 && s[(doubleColon + 1)..].IndexOf("::"u8) >= 0) return false;
        if (s.IndexOf(":::"u8) >= 0) return false;
        var groups = 0;
        var groupLen = 0;
        var sawDot = false;
        foreach (var b in s)
        {
            if (b == ':')
            {
                if (sawDot) return false;
                if (groupLen > 0) groups++;
                groupLen = 0;
            }
            else if (b == '.')
            {
                sawDot = true;
                groupLen = 0;
            }
            else if (SipSyntax.IsHex(b))
            {
                if (++groupLen > 4) return false;
            }
            else
            {
                return false;
            }
        }
        if (groupLen > 0 && !sawDot) groups++;
        if (sawDot) groups += 2;
        return doubleColon >= 0 ? groups < 8 : groups == 8;
    }
}
