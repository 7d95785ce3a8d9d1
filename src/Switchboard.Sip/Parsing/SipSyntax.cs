using System.Buffers;

namespace Switchboard.Sip.Parsing;

internal enum CharClass
{
    User,
    Password,
    Param,
    Header,
}

/// <summary>Character classes and small scanners from the RFC 3261 section 25.1 grammar, over bytes.</summary>
internal static class SipSyntax
{
    private static readonly bool[] TokenChars = Build("-.!%*_+`'~");
    private static readonly bool[] UnreservedChars = Build("-_.!~*'()");
    // user-unreserved (section 25.1): & = + $ , ; ? /
    private static readonly bool[] UserChars = Build("-_.!~*'()&=+$,;?/");
    // password: unreserved / escaped / & = + $ ,
    private static readonly bool[] PasswordChars = Build("-_.!~*'()&=+$,");
    // paramchar = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $
    private static readonly bool[] ParamChars = Build("-_.!~*'()[]/:&+$");
    // hname/hvalue: hnv-unreserved / unreserved / escaped; hnv-unreserved = [ ] / ? : + $
    private static readonly bool[] HeaderChars = Build("-_.!~*'()[]/?:+$");
    // word (Call-ID): alphanum / - . ! % * _ + ` ' ~ ( ) < > : \ DQUOTE / [ ] ? { }
    private static readonly bool[] WordChars = Build("-.!%*_+`'~()<>:\\\"/[]?{}");

    private static readonly SearchValues<byte> TokenSet = ToSet(TokenChars, "");
    private static readonly SearchValues<byte> UserSet = ToSet(UserChars, "%");
    private static readonly SearchValues<byte> PasswordSet = ToSet(PasswordChars, "%");
    private static readonly SearchValues<byte> ParamSet = ToSet(ParamChars, "%");
    private static readonly SearchValues<byte> HeaderSet = ToSet(HeaderChars, "%");
    private static readonly SearchValues<byte> CallIdSet = ToSet(WordChars, "@");

    private static SearchValues<byte> ToSet(bool[] table, string extra)
    {
        var list = new List<byte>();
        for (var i = 0; i < 256; i++)
        {
            if (table[i] || extra.Contains((char)i, StringComparison.Ordinal)) list.Add((byte)i);
        }
        return SearchValues.Create([.. list]);
    }

    private static bool[] Build(string extra)
    {
        var t = new bool[256];
        for (var c = '0'; c <= '9'; c++) t[c] = true;
        for (var c = 'a'; c <= 'z'; c++) t[c] = true;
        for (var c = 'A'; c <= 'Z'; c++) t[c] = true;
        foreach (var c in extra) t[c] = true;
        return t;
    }

    public static bool IsToken(byte b) => TokenChars[b];
    public static bool IsUnreserved(byte b) => UnreservedChars[b];
    public static bool IsUserChar(byte b) => UserChars[b];
    public static bool IsPasswordChar(byte b) => PasswordChars[b];
    public static bool IsParamChar(byte b) => ParamChars[b];
    public static bool IsHeaderChar(byte b) => HeaderChars[b];
    public static bool IsWordChar(byte b) => WordChars[b];
    public static bool IsWs(byte b) => b is (byte)' ' or (byte)'\t';
    public static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
    public static bool IsAlpha(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';
    public static bool IsHex(byte b) => IsDigit(b) || (uint)((b | 0x20) - 'a') <= 'f' - 'a';

    /// <summary>Length of the run of token characters at the start of <paramref name="s"/>.</summary>
    public static int TokenLength(ReadOnlySpan<byte> s)
    {
        var i = s.IndexOfAnyExcept(TokenSet);
        return i < 0 ? s.Length : i;
    }

    public static bool IsTokenSpan(ReadOnlySpan<byte> s) => !s.IsEmpty && s.IndexOfAnyExcept(TokenSet) < 0;

    /// <summary>callid = word [ "@" word ] (RFC 3261 section 25.1).</summary>
    public static bool IsCallId(ReadOnlySpan<byte> v)
    {
        if (v.IsEmpty || v.IndexOfAnyExcept(CallIdSet) >= 0) return false;
        var at = v.IndexOf((byte)'@');
        return at < 0 || (at > 0 && at < v.Length - 1 && v[(at + 1)..].IndexOf((byte)'@') < 0);
    }

    /// <summary>Whether <paramref name="s"/> is made of <paramref name="allowed"/> characters and valid "%" HEX HEX escapes.</summary>
    public static bool IsEscapedRun(ReadOnlySpan<byte> s, CharClass charClass)
    {
        var set = charClass switch
        {
            CharClass.User => UserSet,
            CharClass.Password => PasswordSet,
            CharClass.Param => ParamSet,
            _ => HeaderSet,
        };
        if (s.IndexOfAnyExcept(set) >= 0) return false;
        var i = s.IndexOf((byte)'%');
        while (i >= 0)
        {
            if (i + 2 >= s.Length || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) return false;
            var next = s[(i + 3)..].IndexOf((byte)'%');
            i = next < 0 ? -1 : i + 3 + next;
        }
        return true;
    }

    public static int SkipWs(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && IsWs(s[i])) i++;
        return i;
    }

    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        var a = 0;
        var b = s.Length;
        while (a < b && IsWs(s[a])) a++;
        while (b > a && IsWs(s[b - 1])) b--;
        return s[a..b];
    }

    public static (int Start, int Length) TrimRange(ReadOnlySpan<byte> s, int start, int length)
    {
        var a = start;
        var b = start + length;
        while (a < b && IsWs(s[a])) a++;
        while (b > a && IsWs(s[b - 1])) b--;
        return (a, b - a);
    }

    /// <summary>Index of the closing quote of a quoted-string starting at <paramref name="i"/> (which must be '"'), honouring quoted-pairs; -1 when unterminated or malformed.</summary>
    public static int SkipQuoted(ReadOnlySpan<byte> s, int i)
    {
        for (var j = i + 1; j < s.Length; j++)
        {
            var b = s[j];
            if (b == '\\')
            {
                // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
                if (j + 1 >= s.Length || s[j + 1] is (byte)'\r' or (byte)'\n' or > 0x7F) return -1;
                j++;
            }
            else if (b == '"')
            {
                return j;
            }
            else if (b is (byte)'\r' or (byte)'\n')
            {
                return -1;
            }
        }
        return -1;
    }

    /// <summary>Parses a decimal number without sign; false when empty, not digits or above <paramref name="max"/>.</summary>
    public static bool TryParseUInt(ReadOnlySpan<byte> s, long max, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 19) return false;
        foreach (var b in s)
        {
            if (!IsDigit(b)) return false;
            value = (value * 10) + (b - '0');
            if (value > max) return false;
        }
        return true;
    }

    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> lowerAscii)
    {
        if (a.Length != lowerAscii.Length) return false;
        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i];
            if (x is >= (byte)'A' and <= (byte)'Z') x = (byte)(x | 0x20);
            if (x != lowerAscii[i]) return false;
        }
        return true;
    }
}

/// <summary>
/// Splits a header value on commas outside quoted strings and angle brackets (RFC 3261 section 7.3.1),
/// yielding each part trimmed, relative to the span; <see cref="Failed"/> on unbalanced quotes or brackets.
/// </summary>
internal ref struct CommaSplitter
{
    private readonly ReadOnlySpan<byte> _s;
    private int _p;
    private bool _done;

    public CommaSplitter(ReadOnlySpan<byte> s)
    {
        _s = s;
        _p = 0;
        _done = false;
        Failed = false;
    }

    public bool Failed { get; private set; }

    public bool TryNext(out (int Start, int Length) part)
    {
        part = default;
        if (_done) return false;
        var s = _s;
        var inAngle = false;
        for (var i = _p; i < s.Length; i++)
        {
            var b = s[i];
            if (b == '"')
            {
                var end = SipSyntax.SkipQuoted(s, i);
                if (end < 0) return Fail();
                i = end;
            }
            else if (b == '<')
            {
                if (inAngle) return Fail();
                inAngle = true;
            }
            else if (b == '>')
            {
                if (!inAngle) return Fail();
                inAngle = false;
            }
            else if (b == ',' && !inAngle)
            {
                part = SipSyntax.TrimRange(s, _p, i - _p);
                _p = i + 1;
                return true;
            }
        }
        if (inAngle) return Fail();
        part = SipSyntax.TrimRange(s, _p, s.Length - _p);
        _done = true;
        return true;
    }

    private bool Fail()
    {
        Failed = true;
        _done = true;
        return false;
    }
}
