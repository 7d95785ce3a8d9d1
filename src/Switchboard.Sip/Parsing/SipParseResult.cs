using System.Diagnostics.CodeAnalysis;
using System.Text;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Parsing;

/// <summary>Why a message was rejected. Each maps to the status code to answer a request with (see <see cref="SipParseResult.StatusCode"/>).</summary>
public enum SipParseError
{
    None = 0,

    /// <summary>No start line we could answer (garbage, truncated datagram, or a malformed response): drop it and count it.</summary>
    Unparsable,

    /// <summary>400: the request line is not Method SP Request-URI SP SIP-Version.</summary>
    BadRequestLine,

    /// <summary>400: the Request-URI does not parse or carries URI headers.</summary>
    BadRequestUri,

    /// <summary>505: a SIP version other than 2.0.</summary>
    VersionNotSupported,

    /// <summary>400: a header line or a hot header value is malformed; <see cref="SipParseResult.Detail"/> names it.</summary>
    BadHeader,

    /// <summary>400: a mandatory header (Via, From, To, Call-ID, CSeq) is missing.</summary>
    MissingHeader,

    /// <summary>400: a header that may appear once appears more than once.</summary>
    DuplicateHeader,

    /// <summary>400: the CSeq method differs from the request method.</summary>
    CSeqMismatch,

    /// <summary>400: Content-Length is malformed, negative, or larger than the bytes received.</summary>
    BadContentLength,

    /// <summary>400: a stream message without Content-Length (RFC 3261 section 18.3); the stream cannot be framed further.</summary>
    MissingContentLength,

    /// <summary>513: the message (or its header section) exceeds the configured limit.</summary>
    MessageTooLarge,

    /// <summary>413: the body exceeds the configured limit.</summary>
    BodyTooLarge,
}

/// <summary>
/// The outcome of parsing one message: the message, or an error with the status code a request should be answered with.
/// The parser never throws on input; this is the only way it reports.
/// </summary>
public readonly struct SipParseResult
{
    private readonly SipParseContext? _context;

    private SipParseResult(SipMessage? message, SipParseError error, string? detail, bool isRequest, SipParseContext? context)
    {
        Message = message;
        Error = error;
        Detail = detail;
        IsRequest = isRequest;
        _context = context;
    }

    /// <summary>The message when <see cref="IsSuccess"/>.</summary>
    public SipMessage? Message { get; }

    public SipParseError Error { get; }

    /// <summary>The header or element at fault, for logs and reason phrases.</summary>
    public string? Detail { get; }

    /// <summary>Whether the start line was that of a request (errors on responses are never answered).</summary>
    public bool IsRequest { get; }

    [MemberNotNullWhen(true, nameof(Message))]
    public bool IsSuccess => Error == SipParseError.None && Message is not null;

    /// <summary>The status code to answer with, or 0 when the message should be dropped (and counted).</summary>
    public int StatusCode => !IsRequest ? 0 : Error switch
    {
        SipParseError.None or SipParseError.Unparsable => 0,
        SipParseError.VersionNotSupported => 505,
        SipParseError.MessageTooLarge => 513,
        SipParseError.BodyTooLarge => 413,
        _ => 400,
    };

    /// <summary>A reason phrase naming the problem, e.g. "Bad Header: Via".</summary>
    public string ReasonPhrase => Error switch
    {
        SipParseError.BadRequestLine => "Bad Request Line",
        SipParseError.BadRequestUri => "Bad Request-URI",
        SipParseError.BadHeader => $"Bad Header: {Detail}",
        SipParseError.MissingHeader => $"Missing Header: {Detail}",
        SipParseError.DuplicateHeader => $"Duplicate Header: {Detail}",
        SipParseError.CSeqMismatch => "CSeq Method Mismatch",
        SipParseError.BadContentLength => "Bad Content-Length",
        SipParseError.MissingContentLength => "Missing Content-Length",
        _ => StatusCode == 0 ? "" : SipReasonPhrases.Get(StatusCode),
    };

    internal static SipParseResult Success(SipMessage message) => new(message, SipParseError.None, null, message.IsRequest, null);

    internal static SipParseResult Fail(SipParseError error, string? detail, bool isRequest, SipParseContext? context = null) =>
        new(null, error, detail, isRequest, context);

    /// <summary>
    /// For a rejected request: builds the error response from the request's own Via, From, To, Call-ID and CSeq
    /// (RFC 3261 section 8.2.6), adding a To tag. False when those headers are themselves unusable (then drop it).
    /// </summary>
    public bool TryCreateErrorResponse(string toTag, [NotNullWhen(true)] out SipResponse? response)
    {
        response = null;
        if (StatusCode == 0 || _context is null) return false;
        var b = SipMessageBuilder.Response(StatusCode, ReasonPhrase);
        var haveTo = false;
        var haveCSeq = false;
        foreach (var (id, value) in _context.Headers())
        {
            switch (id)
            {
                case SipHeaderId.Via:
                case SipHeaderId.From:
                case SipHeaderId.CallId:
                    b.AddHeader(id, value);
                    break;
                case SipHeaderId.CSeq when !haveCSeq && SipParser.IsValidCSeq(Encoding.UTF8.GetBytes(value)):
                    haveCSeq = true;
                    b.AddHeader(id, value);
                    break;
                case SipHeaderId.To when !haveTo:
                    haveTo = true;
                    b.AddHeader(id, value.Contains(";tag=", StringComparison.OrdinalIgnoreCase) ? value : $"{value};tag={toTag}");
                    break;
            }
        }
        if (!haveCSeq)
        {
            // RFC 4475 section 3.1.2.4: a CSeq above 2**32-1 or not a number still gets its 400. Echoing it would make the
            // response as malformed as the request; the sender's client transaction matches a response on the top Via's
            // branch and the CSeq method only (RFC 3261 section 17.1.3), so the request line's method with the number 0
            // still reaches it. Without even a method there is nothing it could match: drop.
            if (_context.Method is null) return false;
            b.AddHeader(SipHeaderId.CSeq, $"0 {_context.Method.Name}");
        }
        if (b.TryBuild(out var m) && m is SipResponse r)
        {
            response = r;
            return true;
        }
        return false;
    }
}

/// <summary>What is kept of a rejected request to answer it.</summary>
internal sealed class SipParseContext(ReadOnlyMemory<byte> raw, HeaderEntry[] entries, int count, SipMethod? method)
{
    /// <summary>The request line's method, once the request line got that far.</summary>
    public SipMethod? Method => method;

    public IEnumerable<(SipHeaderId Id, string Value)> Headers()
    {
        for (var i = 0; i < count; i++)
        {
            var e = entries[i];
            yield return (e.Id, SipMessage.Collapse(raw.Span.Slice(e.ValueStart, e.ValueLength), e.Folded));
        }
    }
}
