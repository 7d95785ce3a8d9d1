using System.Buffers;
using System.Buffers.Text;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Parsing;

/// <summary>
/// Writes a message in canonical form: long header names for known headers, ": " after each name, folded values
/// unfolded, Content-Length rewritten from the body (added if it was missing), CRLF line ends.
/// </summary>
public static class SipMessageWriter
{
    /// <summary>Exact number of bytes <see cref="TryWrite"/> needs.</summary>
    public static int GetLength(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Span<byte> scratch = stackalloc byte[16];
        var raw = message.Raw.Span;
        var length = StartLineLength(raw) + 2;
        var hasCl = false;
        foreach (ref readonly var e in message.Entries.AsSpan())
        {
            length += e.Id == SipHeaderId.Unknown ? e.NameLength : SipHeaderNames.GetNameUtf8(e.Id).Length;
            length += 4;
            if (e.Id == SipHeaderId.ContentLength)
            {
                hasCl = true;
                Utf8Formatter.TryFormat(message.Body.Length, scratch, out var w);
                length += w;
            }
            else
            {
                length += ValueLength(raw.Slice(e.ValueStart, e.ValueLength), e.Folded);
            }
        }
        if (!hasCl)
        {
            Utf8Formatter.TryFormat(message.Body.Length, scratch, out var w);
            length += "Content-Length: \r\n"u8.Length + w;
        }
        return length + 2 + message.Body.Length;
    }

    /// <summary>Writes into <paramref name="destination"/>; false (nothing meaningful written) when it is too small.</summary>
    public static bool TryWrite(SipMessage message, Span<byte> destination, out int written)
    {
        ArgumentNullException.ThrowIfNull(message);
        written = 0;
        var raw = message.Raw.Span;
        var p = 0;
        var hasCl = false;
        if (!Copy(raw[..StartLineLength(raw)], destination, ref p) || !Copy("\r\n"u8, destination, ref p)) return false;
        foreach (ref readonly var e in message.Entries.AsSpan())
        {
            var name = e.Id == SipHeaderId.Unknown ? raw.Slice(e.NameStart, e.NameLength) : SipHeaderNames.GetNameUtf8(e.Id);
            if (!Copy(name, destination, ref p) || !Copy(": "u8, destination, ref p)) return false;
            if (e.Id == SipHeaderId.ContentLength)
            {
                hasCl = true;
                if (!Utf8Formatter.TryFormat(message.Body.Length, destination[p..], out var w)) return false;
                p += w;
            }
            else if (!WriteValue(raw.Slice(e.ValueStart, e.ValueLength), e.Folded, destination, ref p))
            {
                return false;
            }
            if (!Copy("\r\n"u8, destination, ref p)) return false;
        }
        if (!hasCl)
        {
            if (!Copy("Content-Length: "u8, destination, ref p) || !Utf8Formatter.TryFormat(message.Body.Length, destination[p..], out var w)) return false;
            p += w;
            if (!Copy("\r\n"u8, destination, ref p)) return false;
        }
        if (!Copy("\r\n"u8, destination, ref p) || !Copy(message.Body.Span, destination, ref p)) return false;
        written = p;
        return true;
    }

    /// <summary>Writes into a caller-provided buffer writer.</summary>
    public static void Write(SipMessage message, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = GetLength(message);
        var span = writer.GetSpan(length);
        if (!TryWrite(message, span, out var written)) throw new InvalidOperationException("GetLength and TryWrite disagree.");
        writer.Advance(written);
    }

    public static byte[] ToArray(SipMessage message)
    {
        var bytes = new byte[GetLength(message)];
        TryWrite(message, bytes, out _);
        return bytes;
    }

    private static int StartLineLength(ReadOnlySpan<byte> raw)
    {
        var i = raw.IndexOf((byte)'\n');
        return i > 0 && raw[i - 1] == '\r' ? i - 1 : i;
    }

    private static bool Copy(ReadOnlySpan<byte> source, Span<byte> destination, ref int p)
    {
        if (!source.TryCopyTo(destination[p..])) return false;
        p += source.Length;
        return true;
    }

    private static int ValueLength(ReadOnlySpan<byte> v, bool folded)
    {
        if (!folded) return v.Length;
        var n = 0;
        var inQuote = false;
        var lastWs = false;
        for (var i = 0; i < v.Length; i++)
        {
            var b = v[i];
            if (!inQuote && SipSyntax.IsWs(b))
            {
                if (!lastWs) n++;
                lastWs = true;
                continue;
            }
            lastWs = false;
            if (b == '"') inQuote = !inQuote;
            else if (inQuote && b == '\\' && i + 1 < v.Length)
            {
                n++;
                i++;
            }
            n++;
        }
        return n;
    }

    private static bool WriteValue(ReadOnlySpan<byte> v, bool folded, Span<byte> destination, ref int p)
    {
        if (!folded) return Copy(v, destination, ref p);
        var inQuote = false;
        var lastWs = false;
        for (var i = 0; i < v.Length; i++)
        {
            var b = v[i];
            if (!inQuote && SipSyntax.IsWs(b))
            {
                if (!lastWs && !Put((byte)' ', destination, ref p)) return false;
                lastWs = true;
                continue;
            }
            lastWs = false;
            if (b == '"') inQuote = !inQuote;
            else if (inQuote && b == '\\' && i + 1 < v.Length)
            {
                if (!Put(b, destination, ref p)) return false;
                b = v[++i];
            }
            if (!Put(b, destination, ref p)) return false;
        }
        return true;
    }

    private static bool Put(byte b, Span<byte> destination, ref int p)
    {
        if (p >= destination.Length) return false;
        destination[p++] = b;
        return true;
    }
}
