namespace Switchboard.Sip.Parsing;

/// <summary>Offsets inside a name-addr / addr-spec header value with its parameters (RFC 3261 section 20.10, 20.20, 20.39).</summary>
internal struct NameAddrRanges
{
    public (int Start, int Length) Display;
    public bool HasDisplay;
    public (int Start, int Length) Uri;
    public bool HasAngle;
    public (int Start, int Length) Params;
    public (int Start, int Length) Tag;
    public bool HasTag;
}

/// <summary>Offsets inside one via-parm (RFC 3261 section 20.42).</summary>
internal struct ViaRanges
{
    public (int Start, int Length) ProtocolName;
    public (int Start, int Length) ProtocolVersion;
    public (int Start, int Length) Transport;
    public (int Start, int Length) Host;
    public int Port;
    public (int Start, int Length) Params;
    public (int Start, int Length) Branch;
    public bool HasBranch;
    public (int Start, int Length) Received;
    public bool HasReceived;
    public bool HasRPort;
    public int RPort;
}

/// <summary>
/// Reads ";name[=value]" header parameters with optional whitespace around ';' and '=' (SEMI, EQUAL).
/// Values are tokens, quoted strings, or host-like text (IPv6 references with or without brackets).
/// </summary>
internal ref struct HeaderParamReader
{
    private readonly ReadOnlySpan<byte> _s;
    private int _p;

    public HeaderParamReader(ReadOnlySpan<byte> s, int start)
    {
        _s = s;
        _p = start;
    }

    public bool Failed { get; private set; }

    public bool TryNext(out (int Start, int Length) name, out (int Start, int Length) value, out bool hasValue)
    {
        name = default;
        value = default;
        hasValue = false;
        var s = _s;
        var p = SipSyntax.SkipWs(s, _p);
        if (p >= s.Length) return false;
        if (s[p] != ';')
        {
            Failed = true;
            return false;
        }
        p = SipSyntax.SkipWs(s, p + 1);
        var nameStart = p;
        while (p < s.Length && SipSyntax.IsToken(s[p])) p++;
        if (p == nameStart)
        {
            Failed = true;
            return false;
        }
        name = (nameStart, p - nameStart);
        var q = SipSyntax.SkipWs(s, p);
        if (q < s.Length && s[q] == '=')
        {
            q = SipSyntax.SkipWs(s, q + 1);
            var valueStart = q;
            if (q < s.Length && s[q] == '"')
            {
                var end = SipSyntax.SkipQuoted(s, q);
                if (end < 0)
                {
                    Failed = true;
                    return false;
                }
                q = end + 1;
            }
            else
            {
                while (q < s.Length && (SipSyntax.IsToken(s[q]) || s[q] is (byte)':' or (byte)'[' or (byte)']')) q++;
            }
            if (q == valueStart)
            {
                Failed = true;
                return false;
            }
            value = (valueStart, q - valueStart);
            hasValue = true;
            p = q;
        }
        _p = p;
        return true;
    }
}

internal static class HeaderSyntax
{
    /// <summary>Parses (name-addr / addr-spec) *(SEMI param). In addr-spec form the URI ends at ';' and may not hold '?' or ','.</summary>
    public static bool TryParseNameAddr(ReadOnlySpan<byte> s, out NameAddrRanges r)
    {
        r = default;
        var p = SipSyntax.SkipWs(s, 0);
        if (p >= s.Length) return false;
        var angle = -1;
        if (s[p] == '"')
        {
            var end = SipSyntax.SkipQuoted(s, p);
            if (end < 0) return false;
            r.Display = (p, end + 1 - p);
            r.HasDisplay = true;
            p = SipSyntax.SkipWs(s, end + 1);
            if (p >= s.Length || s[p] != '<') return false;
            angle = p;
        }
        else
        {
            // display-name = *(token LWS) before "<", or an addr-spec.
            var q = p;
            var lastTokenEnd = -1;
            while (q < s.Length && (SipSyntax.IsToken(s[q]) || SipSyntax.IsWs(s[q])))
            {
                if (SipSyntax.IsToken(s[q])) lastTokenEnd = q + 1;
                q++;
            }
            if (q < s.Length && s[q] == '<')
            {
                angle = q;
                if (lastTokenEnd > p)
                {
                    r.Display = (p, lastTokenEnd - p);
                    r.HasDisplay = true;
                }
            }
        }
        if (angle >= 0)
        {
            var close = s[(angle + 1)..].IndexOf((byte)'>');
            if (close < 0) return false;
            var uri = s.Slice(angle + 1, close);
            if (!UriSyntax.TryParse(uri, out _)) return false;
            r.Uri = (angle + 1, close);
            r.HasAngle = true;
            p = angle + 1 + close + 1;
        }
        else
        {
            var start = p;
            while (p < s.Length && s[p] != ';' && !SipSyntax.IsWs(s[p])) p++;
            var uri = s[start..p];
            if (uri.IndexOfAny((byte)'?', (byte)',') >= 0 || !UriSyntax.TryParse(uri, out _)) return false;
            r.Uri = (start, p - start);
        }
        var paramStart = SipSyntax.SkipWs(s, p);
        r.Params = (paramStart, s.Length - paramStart);
        var reader = new HeaderParamReader(s, p);
        while (reader.TryNext(out var name, out var value, out var hasValue))
        {
            if (hasValue && SipSyntax.EqualsIgnoreCase(s.Slice(name.Start, name.Length), "tag"u8))
            {
                r.Tag = value;
                r.HasTag = true;
            }
        }
        return !reader.Failed;
    }

    /// <summary>Parses sent-protocol LWS sent-by *(SEMI via-params), allowing whitespace around '/' and ':'.</summary>
    public static bool TryParseVia(ReadOnlySpan<byte> s, out ViaRanges r)
    {
        r = default;
        r.Port = -1;
        var p = SipSyntax.SkipWs(s, 0);
        if (!Token(s, ref p, out r.ProtocolName) || !Slash(s, ref p) || !Token(s, ref p, out r.ProtocolVersion) ||
            !Slash(s, ref p) || !Token(s, ref p, out r.Transport))
        {
            return false;
        }
        var afterTransport = p;
        p = SipSyntax.SkipWs(s, p);
        if (p == afterTransport) return false;
        var hostStart = p;
        if (p < s.Length && s[p] == '[')
        {
            var close = s[p..].IndexOf((byte)']');
            if (close < 0 || !UriSyntax.IsIpv6(s.Slice(p + 1, close - 1))) return false;
            p += close + 1;
        }
        else
        {
            while (p < s.Length && (SipSyntax.IsAlpha(s[p]) || SipSyntax.IsDigit(s[p]) || s[p] is (byte)'-' or (byte)'.')) p++;
        }
        if (p == hostStart) return false;
        r.Host = (hostStart, p - hostStart);
        var q = SipSyntax.SkipWs(s, p);
        if (q < s.Length && s[q] == ':')
        {
            q = SipSyntax.SkipWs(s, q + 1);
            var portStart = q;
            while (q < s.Length && SipSyntax.IsDigit(s[q])) q++;
            if (!SipSyntax.TryParseUInt(s[portStart..q], 65535, out var port)) return false;
            r.Port = (int)port;
            p = q;
        }
        var paramStart = SipSyntax.SkipWs(s, p);
        r.Params = (paramStart, s.Length - paramStart);
        var reader = new HeaderParamReader(s, p);
        while (reader.TryNext(out var name, out var value, out var hasValue))
        {
            var n = s.Slice(name.Start, name.Length);
            if (SipSyntax.EqualsIgnoreCase(n, "branch"u8))
            {
                if (!hasValue) return false;
                r.Branch = value;
                r.HasBranch = true;
            }
            else if (SipSyntax.EqualsIgnoreCase(n, "received"u8))
            {
                if (!hasValue) return false;
                r.Received = value;
                r.HasReceived = true;
            }
            else if (SipSyntax.EqualsIgnoreCase(n, "rport"u8))
            {
                r.HasRPort = true;
                r.RPort = -1;
                if (hasValue)
                {
                    if (!SipSyntax.TryParseUInt(s.Slice(value.Start, value.Length), 65535, out var rp)) return false;
                    r.RPort = (int)rp;
                }
            }
        }
        return !reader.Failed;
    }

    private static bool Token(ReadOnlySpan<byte> s, ref int p, out (int Start, int Length) range)
    {
        var start = p;
        p += SipSyntax.TokenLength(s[p..]);
        range = (start, p - start);
        return p > start;
    }

    private static bool Slash(ReadOnlySpan<byte> s, ref int p)
    {
        p = SipSyntax.SkipWs(s, p);
        if (p >= s.Length || s[p] != '/') return false;
        p = SipSyntax.SkipWs(s, p + 1);
        return true;
    }
}
