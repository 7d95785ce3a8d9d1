using System.Buffers;

namespace Switchboard.Sip.Parsing;

public enum SipFrameStatus
{
    /// <summary>The buffer holds no whole message yet; nothing is consumed.</summary>
    NeedMoreData,

    /// <summary>A whole message of <see cref="SipFrame.Length"/> bytes starts at offset 0.</summary>
    Message,

    /// <summary>A CRLF CRLF keep-alive ping (RFC 5626 section 3.5.1): answer with a CRLF pong.</summary>
    Ping,

    /// <summary>A single CRLF: a keep-alive pong, or a stray line end before a message (RFC 3261 section 7.5).</summary>
    Pong,

    /// <summary>The stream cannot be framed (no Content-Length, too large): answer if possible, then close it.</summary>
    Error,
}

/// <summary>What the framer found at the start of the buffer; <see cref="Consumed"/> is how far to advance.</summary>
public readonly record struct SipFrame(SipFrameStatus Status, int Consumed, int Length, SipParseError Error)
{
    public static readonly SipFrame NeedMore = new(SipFrameStatus.NeedMoreData, 0, 0, SipParseError.None);
}

/// <summary>
/// Finds message boundaries on a stream transport (TCP, TLS) by the header terminator and Content-Length,
/// which is mandatory on streams (RFC 3261 section 18.3). Consumes nothing on partial input.
/// </summary>
public sealed class SipStreamFramer
{
    private readonly SipParserOptions _options;

    public SipStreamFramer(SipParserOptions? options = null) => _options = options ?? SipParserOptions.Default;

    public SipFrame Scan(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty) return SipFrame.NeedMore;
        if (buffer[0] == '\r' || buffer[0] == '\n')
        {
            if (buffer.StartsWith("\r\n\r\n"u8)) return new(SipFrameStatus.Ping, 4, 0, SipParseError.None);
            if (buffer.Length < 4 && "\r\n\r\n"u8.StartsWith(buffer)) return SipFrame.NeedMore;
            if (buffer.StartsWith("\r\n"u8)) return new(SipFrameStatus.Pong, 2, 0, SipParseError.None);
            if (buffer[0] == '\n') return new(SipFrameStatus.Pong, 1, 0, SipParseError.None);
            return Fail(SipParseError.Unparsable);
        }
        var limit = Math.Min(buffer.Length, _options.MaxHeaderSize);
        var end = buffer[..limit].IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return buffer.Length >= _options.MaxHeaderSize ? Fail(SipParseError.MessageTooLarge) : SipFrame.NeedMore;
        }
        var headerLength = end + 4;
        var cl = FindContentLength(buffer[..headerLength]);
        if (cl == -1) return Fail(SipParseError.MissingContentLength);
        if (cl < -1) return Fail(SipParseError.BadContentLength);
        if (cl > _options.MaxBodySize) return Fail(SipParseError.BodyTooLarge);
        var total = headerLength + cl;
        return buffer.Length < total ? SipFrame.NeedMore : new(SipFrameStatus.Message, total, total, SipParseError.None);
    }

    public SipFrame Scan(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment) return Scan(buffer.FirstSpan);
        var head = (int)Math.Min(buffer.Length, _options.MaxHeaderSize);
        var rented = ArrayPool<byte>.Shared.Rent(head);
        try
        {
            buffer.Slice(0, head).CopyTo(rented);
            var frame = Scan(rented.AsSpan(0, head));
            if (frame.Status != SipFrameStatus.NeedMoreData || head == buffer.Length) return frame;
            // The header section was complete within the copy but the body was not: decide on the full length.
            var end = rented.AsSpan(0, head).IndexOf("\r\n\r\n"u8);
            if (end < 0) return frame;
            var cl = FindContentLength(rented.AsSpan(0, end + 4));
            var total = end + 4 + cl;
            return buffer.Length >= total ? new(SipFrameStatus.Message, total, total, SipParseError.None) : SipFrame.NeedMore;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static SipFrame Fail(SipParseError error) => new(SipFrameStatus.Error, 0, 0, error);

    /// <summary>The Content-Length (or "l") value; -1 when absent, -2 when malformed.</summary>
    private static int FindContentLength(ReadOnlySpan<byte> head)
    {
        var p = head.IndexOf((byte)'\n') + 1;
        while (p < head.Length)
        {
            var rest = head[p..];
            var eol = rest.IndexOf((byte)'\n');
            if (eol <= 1) break;
            var line = rest[..(eol - 1)];
            p += eol + 1;
            var nameEnd = 0;
            while (nameEnd < line.Length && SipSyntax.IsToken(line[nameEnd])) nameEnd++;
            var name = line[..nameEnd];
            if (!SipSyntax.EqualsIgnoreCase(name, "content-length"u8) && !SipSyntax.EqualsIgnoreCase(name, "l"u8)) continue;
            var colon = SipSyntax.SkipWs(line, nameEnd);
            if (colon >= line.Length || line[colon] != ':') continue;
            var value = SipSyntax.Trim(line[(colon + 1)..]);
            // A folded value continues on the next line.
            while (p < head.Length && SipSyntax.IsWs(head[p]) && value.IsEmpty)
            {
                var next = head[p..];
                var e2 = next.IndexOf((byte)'\n');
                if (e2 <= 1) break;
                value = SipSyntax.Trim(next[..(e2 - 1)]);
                p += e2 + 1;
            }
            return SipSyntax.TryParseUInt(value, int.MaxValue, out var v) ? (int)v : -2;
        }
        return -1;
    }
}
