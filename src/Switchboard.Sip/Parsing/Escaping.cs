using System.Buffers;
using System.Text;

namespace Switchboard.Sip.Parsing;

/// <summary>Percent-escapes (RFC 3261 section 25.1, "escaped") and quoted strings.</summary>
public static class Escaping
{
    /// <summary>Decodes "%" HEX HEX escapes, then reads the bytes as UTF-8 (invalid sequences become U+FFFD).</summary>
    public static string Unescape(ReadOnlySpan<byte> s)
    {
        if (s.IndexOf((byte)'%') < 0) return Encoding.UTF8.GetString(s);
        var rented = ArrayPool<byte>.Shared.Rent(s.Length);
        try
        {
            var n = 0;
            for (var i = 0; i < s.Length; i++)
            {
                if (s[i] == '%' && i + 2 < s.Length && SipSyntax.IsHex(s[i + 1]) && SipSyntax.IsHex(s[i + 2]))
                {
                    rented[n++] = (byte)((HexValue(s[i + 1]) << 4) | HexValue(s[i + 2]));
                    i += 2;
                }
                else
                {
                    rented[n++] = s[i];
                }
            }
            return Encoding.UTF8.GetString(rented, 0, n);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Escapes every byte of the UTF-8 form of <paramref name="value"/> not allowed by <paramref name="allowed"/>.</summary>
    internal static string Escape(string value, Func<byte, bool> allowed)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (allowed(b)) sb.Append((char)b);
            else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Escapes a user part for a SIP URI.</summary>
    public static string EscapeUser(string user) => Escape(user, SipSyntax.IsUserChar);

    /// <summary>Removes the quotes and quoted-pair backslashes of a quoted-string (input includes the quotes).</summary>
    public static string Unquote(ReadOnlySpan<byte> quoted)
    {
        if (quoted.Length < 2 || quoted[0] != '"') return Encoding.UTF8.GetString(quoted);
        var inner = quoted[1..^1];
        if (inner.IndexOf((byte)'\\') < 0) return Encoding.UTF8.GetString(inner);
        var buf = new byte[inner.Length];
        var n = 0;
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length) i++;
            buf[n++] = inner[i];
        }
        return Encoding.UTF8.GetString(buf, 0, n);
    }

    /// <summary>Makes a quoted-string, escaping '"' and '\'.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.AsSpan().ContainsAny('"', '\\'))
        {
            return string.Concat("\"", value, "\"");
        }

        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
