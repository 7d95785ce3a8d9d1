using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Parsing;

/// <summary>How the message arrived: a datagram holds one message; a stream message was framed by Content-Length.</summary>
public enum SipTransportFraming
{
    Datagram,
    Stream,
}

/// <summary>Limits applied by the parser and the stream framer.</summary>
public sealed record SipParserOptions
{
    public static readonly SipParserOptions Default = new();

    /// <summary>Largest whole message accepted (513 above it).</summary>
    public int MaxMessageSize { get; init; } = 65_535;

    /// <summary>Largest header section accepted by the stream framer (513 above it).</summary>
    public int MaxHeaderSize { get; init; } = 16_384;

    /// <summary>Largest body accepted (413 above it).</summary>
    public int MaxBodySize { get; init; } = 60_000;

    public int MaxHeaderCount { get; init; } = 256;
}

/// <summary>
/// Parses one SIP message (RFC 3261 section 7) from bytes. Handles leading CRLFs, header folding, compact names,
/// and validates the hot headers (Via, From, To, Call-ID, CSeq, Contact, Route, Record-Route, Max-Forwards,
/// Content-Length, Expires, Date). Never throws on input: every problem becomes a <see cref="SipParseResult"/> error.
/// </summary>
public static class SipParser
{
    // RFC 3261 section 8.1.1.5: the number MUST be expressible as a 32-bit unsigned integer. (Less than 2**31 binds
    // only the sender's first choice; later requests in a dialog count up past it.) RFC 4475 section 3.1.2.4: above this, 400.
    private const long MaxCSeq = uint.MaxValue;

    /// <summary>Parses from a span; the bytes are copied into the message.</summary>
    public static SipParseResult Parse(ReadOnlySpan<byte> data, SipParserOptions? options = null, SipTransportFraming framing = SipTransportFraming.Datagram)
    {
        var copy = data.ToArray();
        return ParseCore(copy, owned: true, options ?? SipParserOptions.Default, framing);
    }

    /// <summary>Parses from memory the message will keep referencing (not copied unless lines are folded). Do not reuse the memory afterwards.</summary>
    public static SipParseResult Parse(ReadOnlyMemory<byte> data, SipParserOptions? options = null, SipTransportFraming framing = SipTransportFraming.Datagram) =>
        ParseCore(data, owned: false, options ?? SipParserOptions.Default, framing);

    private static SipParseResult ParseCore(ReadOnlyMemory<byte> data, bool owned, SipParserOptions options, SipTransportFraming framing)
    {
        var span = data.Span;
        var p0 = 0;
        while (p0 + 1 < span.Length && span[p0] == '\r' && span[p0 + 1] == '\n') p0 += 2;
        data = data[p0..];
        span = data.Span;
        if (span.IsEmpty) return SipParseResult.Fail(SipParseError.Unparsable, "empty", false);

        var startEnd = LineEnd(span, 0, out var startEol);
        if (startEnd < 0) return SipParseResult.Fail(SipParseError.Unparsable, "no start line", false);
        var isResponse = span.StartsWith("SIP/"u8);

        // Pass 1: find the end of the header section, count header lines, see whether any line is folded.
        var count = 0;
        var folded = false;
        var q = startEnd + startEol;
        int bodyStart;
        while (true)
        {
            var end = LineEnd(span, q, out var eol);
            if (end < 0) return SipParseResult.Fail(SipParseError.Unparsable, "header section not terminated", !isResponse);
            if (end == q)
            {
                bodyStart = q + eol;
                break;
            }
            if (SipSyntax.IsWs(span[q]))
            {
                if (count == 0) return SipParseResult.Fail(SipParseError.Unparsable, "continuation before first header", !isResponse);
                folded = true;
            }
            else
            {
                count++;
            }
            q = end + eol;
            if (q > options.MaxMessageSize) return SipParseResult.Fail(SipParseError.MessageTooLarge, null, !isResponse);
        }
        if (count > options.MaxHeaderCount) return SipParseResult.Fail(SipParseError.MessageTooLarge, "too many headers", !isResponse);

        if (folded)
        {
            // Turn the line break before each continuation line into spaces: offsets stay the same (RFC 3261 section 7.3.1).
            byte[] work;
            int offset;
            if (owned && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var segment) && segment.Array is not null)
            {
                work = segment.Array;
                offset = segment.Offset;
            }
            else
            {
                work = span.ToArray();
                offset = 0;
                data = work;
            }
            var w = work.AsSpan(offset, data.Length);
            for (var i = startEnd + startEol; i + 1 < bodyStart; i++)
            {
                if (w[i] == '\n' && SipSyntax.IsWs(w[i + 1]))
                {
                    w[i] = (byte)' ';
                    if (w[i - 1] == '\r') w[i - 1] = (byte)' ';
                }
            }
            span = data.Span;
        }

        // Pass 2: index header lines.
        var entries = new HeaderEntry[count];
        var n = 0;
        q = startEnd + startEol;
        string? badHeader = null;
        while (n < count)
        {
            var end = LineEnd(span, q, out var eol);
            var line = span[q..end];
            var nameEnd = SipSyntax.TokenLength(line);
            var colon = SipSyntax.SkipWs(line, nameEnd);
            ref var e = ref entries[n];
            e.NameStart = q;
            e.NameLength = nameEnd;
            e.Id = SipHeaderNames.Identify(line[..nameEnd]);
            if (nameEnd == 0 || colon >= line.Length || line[colon] != ':')
            {
                badHeader ??= nameEnd == 0 ? "header line" : System.Text.Encoding.UTF8.GetString(line[..nameEnd]);
                e.Id = SipHeaderId.Unknown;
                e.ValueStart = q;
                e.ValueLength = 0;
            }
            else
            {
                var (vs, vl) = SipSyntax.TrimRange(span, q + colon + 1, line.Length - colon - 1);
                e.ValueStart = vs;
                e.ValueLength = vl;
                e.Folded = folded && span.Slice(vs, vl).IndexOf("  "u8) >= 0;
            }
            n++;
            q = end + eol;
        }

        SipMethod? method = null;
        SipParseResult Fail(SipParseError error, string? detail) => isResponse
            ? SipParseResult.Fail(SipParseError.Unparsable, detail, false)
            : SipParseResult.Fail(error, detail, true, new SipParseContext(data, entries, count, method));

        // Start line.
        var startLine = span[..startEnd];
        (int, int) uriRange = default;
        var status = 0;
        (int, int) reasonRange = default;
        if (isResponse)
        {
            // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
            var sp = startLine.IndexOf((byte)' ');
            if (sp < 0 || !startLine[..sp].SequenceEqual("SIP/2.0"u8)) return Fail(SipParseError.Unparsable, "status line version");
            var codeStart = sp + 1;
            var codeEnd = codeStart;
            while (codeEnd < startLine.Length && SipSyntax.IsDigit(startLine[codeEnd])) codeEnd++;
            if (codeEnd - codeStart != 3 || (codeEnd < startLine.Length && startLine[codeEnd] != ' ')) return Fail(SipParseError.Unparsable, "status code");
            status = ((startLine[codeStart] - '0') * 100) + ((startLine[codeStart + 1] - '0') * 10) + (startLine[codeStart + 2] - '0');
            if (status is < 100 or > 699) return Fail(SipParseError.Unparsable, "status code");
            var reasonStart = Math.Min(codeEnd + 1, startLine.Length);
            reasonRange = (reasonStart, startLine.Length - reasonStart);
        }
        else
        {
            // Request-Line = Method SP Request-URI SP SIP-Version CRLF
            var sp1 = startLine.IndexOf((byte)' ');
            if (sp1 <= 0 || !SipSyntax.IsTokenSpan(startLine[..sp1])) return SipParseResult.Fail(SipParseError.Unparsable, "request line", false);
            method = SipMethod.Get(startLine[..sp1]);
            var sp2 = startLine.LastIndexOf((byte)' ');
            var version = startLine[(sp2 + 1)..];
            if (!version.SequenceEqual("SIP/2.0"u8))
            {
                return IsVersion(version) ? Fail(SipParseError.VersionNotSupported, null) : Fail(SipParseError.BadRequestLine, null);
            }
            var uri = startLine[(sp1 + 1)..Math.Max(sp1 + 1, sp2)];
            if (sp2 <= sp1 || uri.IsEmpty || uri.IndexOfAny((byte)' ', (byte)'\t') >= 0) return Fail(SipParseError.BadRequestLine, null);
            if (!UriSyntax.TryParse(uri, out var ur) || ur.Headers.Length > 0) return Fail(SipParseError.BadRequestUri, null);
            uriRange = (sp1 + 1, uri.Length);
        }
        if (badHeader is not null) return Fail(SipParseError.BadHeader, badHeader);

        // Hot headers.
        var hot = new ParsedHot { MaxForwards = -1, Expires = -1, ContentLength = -1 };
        Span<int> seen = stackalloc int[64];
        seen.Clear();
        var cseqMethod = default((int Start, int Length));
        var cseqMethodAbs = default((int Start, int Length));
        for (var i = 0; i < count; i++)
        {
            ref readonly var e = ref entries[i];
            var v = span.Slice(e.ValueStart, e.ValueLength);
            var id = e.Id;
            if (id == SipHeaderId.Unknown) continue;
            if (SipHeaderNames.IsSingleton(id) && seen[(int)id]++ > 0) return Fail(SipParseError.DuplicateHeader, SipHeaderNames.GetName(id));
            if (!SipHeaderNames.IsSingleton(id)) seen[(int)id]++;
            var ok = true;
            switch (id)
            {
                case SipHeaderId.Via:
                    ok = ValidateList(v, static s => HeaderSyntax.TryParseVia(s, out _));
                    break;
                case SipHeaderId.From:
                case SipHeaderId.To:
                    ok = HeaderSyntax.TryParseNameAddr(v, out _);
                    break;
                case SipHeaderId.Contact:
                    if (v.Length == 1 && v[0] == '*') hot.ContactWildcard = true;
                    else ok = ValidateList(v, static s => HeaderSyntax.TryParseNameAddr(s, out _));
                    break;
                case SipHeaderId.Route:
                case SipHeaderId.RecordRoute:
                    ok = ValidateList(v, static s => HeaderSyntax.TryParseNameAddr(s, out var r) && r.HasAngle);
                    break;
                case SipHeaderId.CallId:
                    ok = SipSyntax.IsCallId(v);
                    break;
                case SipHeaderId.CSeq:
                    ok = TryParseCSeq(v, out var number, out cseqMethod);
                    if (ok)
                    {
                        hot.CSeq = new SipCSeq((uint)number, SipMethod.Get(v.Slice(cseqMethod.Start, cseqMethod.Length)));
                        cseqMethodAbs = (e.ValueStart + cseqMethod.Start, cseqMethod.Length);
                    }

                    break;
                case SipHeaderId.MaxForwards:
                    ok = SipSyntax.TryParseUInt(v, 255, out var mf);
                    hot.MaxForwards = (int)mf;
                    break;
                case SipHeaderId.ContentLength:
                    ok = SipSyntax.TryParseUInt(v, int.MaxValue, out var cl);
                    if (!ok) return Fail(SipParseError.BadContentLength, null);
                    hot.ContentLength = (int)cl;
                    break;
                case SipHeaderId.Expires:
                    ok = SipSyntax.TryParseUInt(v, uint.MaxValue, out var ex);
                    hot.Expires = ex;
                    break;
                case SipHeaderId.Date:
                    ok = v.EndsWith(" GMT"u8);
                    break;
                case SipHeaderId.ContentType:
                    ok = v.IndexOf((byte)'/') > 0;
                    break;
            }
            if (!ok) return Fail(SipParseError.BadHeader, SipHeaderNames.GetName(id));
        }
        foreach (var required in (ReadOnlySpan<SipHeaderId>)[SipHeaderId.To, SipHeaderId.From, SipHeaderId.CallId, SipHeaderId.CSeq, SipHeaderId.Via])
        {
            if (seen[(int)required] == 0) return Fail(SipParseError.MissingHeader, SipHeaderNames.GetName(required));
        }
        if (method is not null && !span.Slice(cseqMethodAbs.Start, cseqMethodAbs.Length).SequenceEqual(method.Utf8))
        {
            return Fail(SipParseError.CSeqMismatch, null);
        }

        // Body (RFC 3261 sections 18.3 and 20.14).
        var available = span.Length - bodyStart;
        int bodyLength;
        if (hot.ContentLength < 0)
        {
            if (framing == SipTransportFraming.Stream) return Fail(SipParseError.MissingContentLength, null);
            bodyLength = available;
        }
        else
        {
            if (hot.ContentLength > available) return Fail(SipParseError.BadContentLength, "larger than message");
            bodyLength = hot.ContentLength;
        }
        if (bodyLength > options.MaxBodySize) return Fail(SipParseError.BodyTooLarge, null);
        if (bodyStart + bodyLength > options.MaxMessageSize) return Fail(SipParseError.MessageTooLarge, null);
        hot.BodyStart = bodyStart;
        hot.BodyLength = bodyLength;
        var raw = data[..(bodyStart + bodyLength)];
        SipMessage message = method is not null
            ? new SipRequest(raw, entries, hot, method, uriRange)
            : new SipResponse(raw, entries, hot, status, reasonRange);
        return SipParseResult.Success(message);
    }

    /// <summary>Index of the CR (or bare LF) ending the line starting at <paramref name="from"/>; -1 if none.</summary>
    private static int LineEnd(ReadOnlySpan<byte> s, int from, out int eolLength)
    {
        eolLength = 0;
        if (from > s.Length) return -1;
        var i = s[from..].IndexOf((byte)'\n');
        if (i < 0) return -1;
        i += from;
        if (i > from && s[i - 1] == '\r')
        {
            eolLength = 2;
            return i - 1;
        }
        eolLength = 1;
        return i;
    }

    private static bool IsVersion(ReadOnlySpan<byte> v)
    {
        if (!v.StartsWith("SIP/"u8)) return false;
        var rest = v[4..];
        var dot = rest.IndexOf((byte)'.');
        return dot > 0 && SipSyntax.TryParseUInt(rest[..dot], 999, out _) && SipSyntax.TryParseUInt(rest[(dot + 1)..], 999, out _);
    }

    private delegate bool PartValidator(ReadOnlySpan<byte> part);

    private static bool ValidateList(ReadOnlySpan<byte> v, PartValidator validate)
    {
        var splitter = new CommaSplitter(v);
        var any = false;
        while (splitter.TryNext(out var part))
        {
            if (part.Length == 0 || !validate(v.Slice(part.Start, part.Length))) return false;
            any = true;
        }
        return any && !splitter.Failed;
    }

    /// <summary>Whether a CSeq value is one a response may carry: a number below 2**32, LWS, a method token.</summary>
    internal static bool IsValidCSeq(ReadOnlySpan<byte> v) => TryParseCSeq(v, out _, out _);

    private static bool TryParseCSeq(ReadOnlySpan<byte> v, out long number, out (int Start, int Length) method)
    {
        method = default;
        var i = 0;
        while (i < v.Length && SipSyntax.IsDigit(v[i])) i++;
        if (!SipSyntax.TryParseUInt(v[..i], MaxCSeq, out number)) return false;
        var m = SipSyntax.SkipWs(v, i);
        if (m == i || m >= v.Length || !SipSyntax.IsTokenSpan(v[m..])) return false;
        method = (m, v.Length - m);
        return true;
    }
}
