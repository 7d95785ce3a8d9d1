using System.Globalization;
using System.Text;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Messages;

/// <summary>
/// Collects a start line, header fields and a body, and turns them into a parsed <see cref="SipMessage"/>.
/// Content-Length is always written from the body. Building something the parser rejects is a programmer error.
/// </summary>
public sealed class SipMessageBuilder
{
    private readonly List<Field> _headers = new(12);

    private SipMessageBuilder()
    {
    }

    public SipMethod? Method { get; private set; }

    public string? RequestUri { get; set; }

    public int StatusCode { get; private set; }

    public string? ReasonPhrase { get; set; }

    public ReadOnlyMemory<byte> Body { get; set; }

    public IReadOnlyList<KeyValuePair<string, string>> HeaderFields
    {
        get
        {
            var fields = new List<KeyValuePair<string, string>>(_headers.Count);
            foreach (var h in _headers)
            {
                fields.Add(new(h.Name, h.ValueText()));
            }

            return fields;
        }
    }

    public static SipMessageBuilder Request(SipMethod method, string requestUri)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentException.ThrowIfNullOrEmpty(requestUri);
        return new SipMessageBuilder { Method = method, RequestUri = requestUri };
    }

    public static SipMessageBuilder Response(int statusCode, string? reasonPhrase = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 699);
        return new SipMessageBuilder { StatusCode = statusCode, ReasonPhrase = reasonPhrase ?? SipReasonPhrases.Get(statusCode) };
    }

    public SipMessageBuilder AddHeader(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        _headers.Add(new Field(name, SipHeaderNames.Identify(name), value, default, null));
        return this;
    }

    public SipMessageBuilder AddHeader(SipHeaderId id, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _headers.Add(new Field(SipHeaderNames.GetName(id), id, value, default, null));
        return this;
    }

    /// <summary>
    /// Adds a known header whose value is bytes of a received message, copied as they are when the message is written
    /// (a response's Via, From, Call-ID and CSeq: RFC 3261 section 8.2.6.2), with an optional ";tag=" parameter appended.
    /// The bytes must stay unchanged until the message is built.
    /// </summary>
    internal SipMessageBuilder AddHeader(SipHeaderId id, ReadOnlyMemory<byte> value, string? tag = null)
    {
        _headers.Add(new Field(SipHeaderNames.GetName(id), id, null, value, tag));
        return this;
    }

    /// <summary>Inserts a value before the first header of that name (or at the top): how a new Via goes on.</summary>
    public SipMessageBuilder PrependHeader(string name, string value)
    {
        var index = FindIndex(name);
        _headers.Insert(index < 0 ? 0 : index, new Field(name, SipHeaderNames.Identify(name), value, default, null));
        return this;
    }

    /// <summary>Replaces every header of that name with one value.</summary>
    public SipMessageBuilder SetHeader(string name, string value)
    {
        var index = FindIndex(name);
        RemoveHeader(name);
        _headers.Insert(index < 0 ? _headers.Count : index, new Field(name, SipHeaderNames.Identify(name), value, default, null));
        return this;
    }

    public SipMessageBuilder SetHeader(SipHeaderId id, string value) => SetHeader(SipHeaderNames.GetName(id), value);

    public SipMessageBuilder RemoveHeader(string name)
    {
        var id = SipHeaderNames.Identify(name);
        for (var i = _headers.Count - 1; i >= 0; i--)
        {
            if (Same(_headers[i], name, id))
            {
                _headers.RemoveAt(i);
            }
        }

        return this;
    }

    /// <summary>Removes only the first header of that name (e.g. the top Via when a response goes upstream).</summary>
    public SipMessageBuilder RemoveFirstHeader(string name)
    {
        var i = FindIndex(name);
        if (i >= 0) _headers.RemoveAt(i);
        return this;
    }

    public SipMessageBuilder SetBody(ReadOnlyMemory<byte> body, string contentType)
    {
        Body = body;
        return SetHeader(SipHeaderId.ContentType, contentType);
    }

    private int FindIndex(string name)
    {
        var id = SipHeaderNames.Identify(name);
        for (var i = 0; i < _headers.Count; i++)
        {
            if (Same(_headers[i], name, id))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool Same(in Field field, string name, SipHeaderId id) =>
        id != SipHeaderId.Unknown ? field.Id == id : string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>One header: a name, and a value that is text, or bytes of a received message with an optional tag added.</summary>
    private readonly record struct Field(string Name, SipHeaderId Id, string? Text, ReadOnlyMemory<byte> Raw, string? Tag)
    {
        public int ValueByteCount => Text is not null
            ? Encoding.UTF8.GetByteCount(Text)
            : Raw.Length + (Tag is null ? 0 : ";tag="u8.Length + Encoding.UTF8.GetByteCount(Tag));

        public int WriteValue(Span<byte> destination)
        {
            if (Text is not null)
            {
                return Encoding.UTF8.GetBytes(Text, destination);
            }

            Raw.Span.CopyTo(destination);
            var n = Raw.Length;
            if (Tag is not null)
            {
                n += Copy(";tag="u8, destination[n..]);
                n += Encoding.UTF8.GetBytes(Tag, destination[n..]);
            }

            return n;
        }

        public string ValueText() => Text ?? Encoding.UTF8.GetString(Raw.Span) + (Tag is null ? "" : ";tag=" + Tag);
    }

    /// <summary>
    /// The canonical bytes of the message being built, written straight into one array of the exact size: no
    /// StringBuilder, no intermediate string and no second copy (every message the PBX sends is built here).
    /// </summary>
    public byte[] ToBytes()
    {
        Span<byte> digits = stackalloc byte[11];
        System.Buffers.Text.Utf8Formatter.TryFormat(Body.Length, digits, out var digitCount);
        var length = StartLineByteCount() + ContentLengthName.Length + digitCount + 4 + Body.Length;
        foreach (var h in _headers)
        {
            if (h.Id != SipHeaderId.ContentLength)
            {
                length += NameByteCount(h.Name, h.Id) + 4 + h.ValueByteCount;
            }
        }

        var result = new byte[length];
        var span = result.AsSpan();
        var p = WriteStartLine(span);
        foreach (var h in _headers)
        {
            if (h.Id == SipHeaderId.ContentLength)
            {
                continue;
            }

            p += h.Id == SipHeaderId.Unknown ? Encoding.UTF8.GetBytes(h.Name, span[p..]) : Copy(SipHeaderNames.GetNameUtf8(h.Id), span[p..]);
            p += Copy(": "u8, span[p..]);
            p += h.WriteValue(span[p..]);
            p += Copy("\r\n"u8, span[p..]);
        }

        p += Copy(ContentLengthName, span[p..]);
        p += Copy(digits[..digitCount], span[p..]);
        p += Copy("\r\n\r\n"u8, span[p..]);
        Body.Span.CopyTo(span[p..]);
        return result;
    }

    private static ReadOnlySpan<byte> ContentLengthName => "Content-Length: "u8;

    private static int NameByteCount(string name, SipHeaderId id) =>
        id == SipHeaderId.Unknown ? Encoding.UTF8.GetByteCount(name) : SipHeaderNames.GetNameUtf8(id).Length;

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }

    /// <summary>"METHOD uri SIP/2.0" or "SIP/2.0 code reason", without its CRLF.</summary>
    private int StartLineByteCount() => Method is not null
        ? Encoding.UTF8.GetByteCount(Method.Name) + 1 + Encoding.UTF8.GetByteCount(RequestUri ?? "") + " SIP/2.0\r\n"u8.Length
        : "SIP/2.0 000 "u8.Length + Encoding.UTF8.GetByteCount(ReasonPhrase ?? "") + 2;

    private int WriteStartLine(Span<byte> destination)
    {
        int p;
        if (Method is not null)
        {
            p = Encoding.UTF8.GetBytes(Method.Name, destination);
            destination[p++] = (byte)' ';
            p += Encoding.UTF8.GetBytes(RequestUri ?? "", destination[p..]);
            p += Copy(" SIP/2.0\r\n"u8, destination[p..]);
            return p;
        }

        p = Copy("SIP/2.0 "u8, destination);
        System.Buffers.Text.Utf8Formatter.TryFormat(StatusCode, destination[p..], out var written);
        p += written;
        destination[p++] = (byte)' ';
        p += Encoding.UTF8.GetBytes(ReasonPhrase ?? "", destination[p..]);
        p += Copy("\r\n"u8, destination[p..]);
        return p;
    }

    /// <summary>Writes and parses the message. Throws <see cref="InvalidOperationException"/> if it would not parse.</summary>
    public SipMessage Build()
    {
        var bytes = ToBytes();
        var result = SipParser.Parse(bytes.AsMemory(), SipParserOptions.Default, SipTransportFraming.Stream);
        return result.Message is { } m && result.IsSuccess
            ? m
            : throw new InvalidOperationException($"The built message does not parse: {result.Error} {result.Detail}.");
    }

    /// <summary>Writes and parses the message; false if the parser rejects it.</summary>
    public bool TryBuild([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SipMessage? message)
    {
        var result = SipParser.Parse(ToBytes().AsMemory(), SipParserOptions.Default, SipTransportFraming.Stream);
        message = result.IsSuccess ? result.Message : null;
        return message is not null;
    }

    public SipRequest BuildRequest() => Build() as SipRequest ?? throw new InvalidOperationException("Not a request.");

    public SipResponse BuildResponse() => Build() as SipResponse ?? throw new InvalidOperationException("Not a response.");
}

/// <summary>Default reason phrases (RFC 3261 section 21 and later registrations).</summary>
public static class SipReasonPhrases
{
    public static string Get(int statusCode) => statusCode switch
    {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        182 => "Queued",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        305 => "Use Proxy",
        380 => "Alternative Service",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        410 => "Gone",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        421 => "Extension Required",
        423 => "Interval Too Brief",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        484 => "Address Incomplete",
        485 => "Ambiguous",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        491 => "Request Pending",
        493 => "Undecipherable",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        606 => "Not Acceptable",
        _ => statusCode switch
        {
            < 200 => "Provisional",
            < 300 => "Success",
            < 400 => "Redirection",
            < 500 => "Client Error",
            < 600 => "Server Error",
            _ => "Global Failure",
        },
    };
}
