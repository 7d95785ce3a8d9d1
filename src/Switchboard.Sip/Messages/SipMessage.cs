using System.Text;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Messages;

internal struct HeaderEntry
{
    public SipHeaderId Id;
    public bool Folded;
    public int NameStart;
    public int NameLength;
    public int ValueStart;
    public int ValueLength;
}

/// <summary>One header field of a parsed message: its id, name as written and value (folding collapsed).</summary>
public readonly struct SipHeaderField
{
    private readonly SipMessage _message;
    private readonly int _index;

    internal SipHeaderField(SipMessage message, int index)
    {
        _message = message;
        _index = index;
    }

    public SipHeaderId Id => _message.Entries[_index].Id;

    /// <summary>The name as written (a compact form stays compact).</summary>
    public string Name => Encoding.UTF8.GetString(RawName);

    /// <summary>The canonical long name for known headers, the written name otherwise.</summary>
    public string CanonicalName => Id == SipHeaderId.Unknown ? Name : SipHeaderNames.GetName(Id);

    public string Value => _message.GetValueString(_index);

    public ReadOnlySpan<byte> RawName
    {
        get
        {
            ref readonly var e = ref _message.Entries[_index];
            return _message.Raw.Span.Slice(e.NameStart, e.NameLength);
        }
    }

    /// <summary>The value bytes; folded lines appear with their line breaks turned into spaces.</summary>
    public ReadOnlySpan<byte> RawValue => _message.ValueSpan(_index);

    public override string ToString() => $"{CanonicalName}: {Value}";
}

/// <summary>
/// A parsed SIP message (RFC 3261 section 7), immutable. It keeps the received bytes and an index of header fields;
/// the hot headers are validated when parsed and turned into objects the first time they are read.
/// Build new messages with <see cref="SipMessageBuilder"/>.
/// </summary>
public abstract class SipMessage
{
    private readonly ReadOnlyMemory<byte> _raw;
    private readonly HeaderEntry[] _entries;
    private string? _callId;
    private SipNameAddress? _from;
    private SipNameAddress? _to;
    private SipVia[]? _vias;
    private SipNameAddress[]? _contacts;
    private SipNameAddress[]? _routes;
    private SipNameAddress[]? _recordRoutes;

    private protected SipMessage(ReadOnlyMemory<byte> raw, HeaderEntry[] entries, in ParsedHot hot)
    {
        _raw = raw;
        _entries = entries;
        CSeq = hot.CSeq;
        MaxForwards = hot.MaxForwards >= 0 ? hot.MaxForwards : null;
        Expires = hot.Expires >= 0 ? (uint)hot.Expires : null;
        HasContentLengthHeader = hot.ContentLength >= 0;
        IsContactWildcard = hot.ContactWildcard;
        Body = raw.Slice(hot.BodyStart, hot.BodyLength);
        HeaderSectionLength = hot.BodyStart;
    }

    /// <summary>The message bytes, start line to end of body (line folds replaced by spaces).</summary>
    public ReadOnlyMemory<byte> Raw => _raw;

    internal HeaderEntry[] Entries => _entries;

    internal int HeaderSectionLength { get; }

    public abstract bool IsRequest { get; }

    public SipHeaderList Headers => new(this);

    public ReadOnlyMemory<byte> Body { get; }

    public SipCSeq CSeq { get; }

    public int? MaxForwards { get; }

    public uint? Expires { get; }

    public bool HasContentLengthHeader { get; }

    /// <summary>Contact: * (RFC 3261 section 10.2.2).</summary>
    public bool IsContactWildcard { get; }

    public string CallId => _callId ??= GetValueString(IndexOf(SipHeaderId.CallId));

    public SipNameAddress From => _from ??= ParseNameAddr(IndexOf(SipHeaderId.From));

    public SipNameAddress To => _to ??= ParseNameAddr(IndexOf(SipHeaderId.To));

    public string? ContentType => GetHeaderValue(SipHeaderId.ContentType);

    /// <summary>All Via values, top first.</summary>
    public IReadOnlyList<SipVia> Vias => _vias ??= ReadList(SipHeaderId.Via, static (s, _) =>
        HeaderSyntax.TryParseVia(s, out var r) ? SipVia.FromRanges(s, r) : throw new InvalidOperationException("Via was validated."));

    public SipVia TopVia => Vias[0];

    public IReadOnlyList<SipNameAddress> Contacts => _contacts ??= IsContactWildcard ? [] : ReadList(SipHeaderId.Contact, ParseNameAddrPart);

    public IReadOnlyList<SipNameAddress> Routes => _routes ??= ReadList(SipHeaderId.Route, ParseNameAddrPart);

    public IReadOnlyList<SipNameAddress> RecordRoutes => _recordRoutes ??= ReadList(SipHeaderId.RecordRoute, ParseNameAddrPart);

    public bool HasHeader(SipHeaderId id) => IndexOf(id) >= 0;

    public bool HasHeader(string name) => IndexOf(name) >= 0;

    /// <summary>The first value of a header, or null.</summary>
    public string? GetHeaderValue(SipHeaderId id)
    {
        var i = IndexOf(id);
        return i < 0 ? null : GetValueString(i);
    }

    /// <summary>The first value of a header by name (case-insensitive, compact forms understood), or null.</summary>
    public string? GetHeaderValue(string name)
    {
        var i = IndexOf(name);
        return i < 0 ? null : GetValueString(i);
    }

    /// <summary>Every value of a header; list headers (Via, Contact, Route, Allow, ...) are split on commas.</summary>
    public IReadOnlyList<string> GetHeaderValues(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var id = SipHeaderNames.Identify(name);
        var result = new List<string>();
        for (var i = 0; i < _entries.Length; i++)
        {
            if (!Matches(i, id, name)) continue;
            if (!SipHeaderNames.IsList(id))
            {
                result.Add(GetValueString(i));
                continue;
            }
            var span = ValueSpan(i);
            var splitter = new CommaSplitter(span);
            while (splitter.TryNext(out var part))
            {
                if (part.Length > 0) result.Add(Collapse(span.Slice(part.Start, part.Length), _entries[i].Folded));
            }
        }
        return result;
    }

    internal int IndexOf(SipHeaderId id)
    {
        for (var i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].Id == id) return i;
        }
        return -1;
    }

    private int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var id = SipHeaderNames.Identify(name);
        for (var i = 0; i < _entries.Length; i++)
        {
            if (Matches(i, id, name)) return i;
        }
        return -1;
    }

    private bool Matches(int i, SipHeaderId id, string name)
    {
        if (id != SipHeaderId.Unknown) return _entries[i].Id == id;
        if (_entries[i].Id != SipHeaderId.Unknown) return false;
        var raw = _raw.Span.Slice(_entries[i].NameStart, _entries[i].NameLength);
        return raw.Length == name.Length && Encoding.ASCII.GetString(raw).Equals(name, StringComparison.OrdinalIgnoreCase);
    }

    internal ReadOnlySpan<byte> ValueSpan(int i) => _raw.Span.Slice(_entries[i].ValueStart, _entries[i].ValueLength);

    /// <summary>The value's bytes in <see cref="Raw"/>, for copying into another message; null when the line was folded (use the collapsed text).</summary>
    internal ReadOnlyMemory<byte>? RawValue(int i) => _entries[i].Folded ? (ReadOnlyMemory<byte>?)null : _raw.Slice(_entries[i].ValueStart, _entries[i].ValueLength);

    /// <summary>The tag parameter of a From or To header, read from the bytes (no name-addr object), or null.</summary>
    internal string? TagOf(SipHeaderId id)
    {
        var i = IndexOf(id);
        if (i < 0) return null;
        var v = ValueSpan(i);
        return HeaderSyntax.TryParseNameAddr(v, out var r) && r.HasTag ? Encoding.UTF8.GetString(v.Slice(r.Tag.Start, r.Tag.Length)) : null;
    }

    /// <summary>Whether a From or To header has a tag parameter.</summary>
    internal bool HasTag(SipHeaderId id)
    {
        var i = IndexOf(id);
        return i >= 0 && HeaderSyntax.TryParseNameAddr(ValueSpan(i), out var r) && r.HasTag;
    }

    internal string GetValueString(int i) => Collapse(ValueSpan(i), _entries[i].Folded);

    /// <summary>A folded value's line breaks were turned into spaces; collapse whitespace runs outside quotes into one space.</summary>
    internal static string Collapse(ReadOnlySpan<byte> v, bool folded)
    {
        if (!folded) return Encoding.UTF8.GetString(v);
        var sb = new StringBuilder(v.Length);
        var text = Encoding.UTF8.GetString(v);
        var inQuote = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuote)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < text.Length) sb.Append(text[++i]);
                else if (c == '"') inQuote = false;
                continue;
            }
            if (c == '"') inQuote = true;
            if (c is ' ' or '\t')
            {
                if (sb.Length > 0 && sb[^1] != ' ') sb.Append(' ');
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString().TrimEnd();
    }

    private SipNameAddress ParseNameAddr(int i) =>
        SipNameAddress.TryParse(ValueSpan(i), GetValueString(i), out var v) ? v : throw new InvalidOperationException("Header was validated.");

    private static SipNameAddress ParseNameAddrPart(ReadOnlySpan<byte> s, bool folded) =>
        SipNameAddress.TryParse(s, Collapse(s, folded), out var v) ? v : throw new InvalidOperationException("Header was validated.");

    private delegate T PartParser<T>(ReadOnlySpan<byte> part, bool folded);

    private T[] ReadList<T>(SipHeaderId id, PartParser<T> parse)
    {
        var list = new List<T>();
        for (var i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].Id != id) continue;
            var span = ValueSpan(i);
            var splitter = new CommaSplitter(span);
            while (splitter.TryNext(out var part))
            {
                list.Add(parse(span.Slice(part.Start, part.Length), _entries[i].Folded));
            }
        }
        return [.. list];
    }

    /// <summary>A builder holding a copy of this message's start line, headers and body, to derive a new message.</summary>
    public abstract SipMessageBuilder ToBuilder();

    private protected void CopyTo(SipMessageBuilder b)
    {
        for (var i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].Id == SipHeaderId.ContentLength) continue;
            var f = new SipHeaderField(this, i);
            b.AddHeader(f.CanonicalName, f.Value);
        }
        b.Body = Body;
    }

    public override string ToString() => Encoding.UTF8.GetString(_raw.Span);
}

internal struct ParsedHot
{
    public SipCSeq CSeq;
    public int MaxForwards;
    public long Expires;
    public int ContentLength;
    public bool ContactWildcard;
    public int BodyStart;
    public int BodyLength;
}

/// <summary>The header fields of a message in order.</summary>
public readonly struct SipHeaderList
{
    private readonly SipMessage _message;

    internal SipHeaderList(SipMessage message) => _message = message;

    public int Count => _message.Entries.Length;

    public SipHeaderField this[int index] =>
        (uint)index < (uint)Count ? new SipHeaderField(_message, index) : throw new ArgumentOutOfRangeException(nameof(index));

    public Enumerator GetEnumerator() => new(_message);

    public struct Enumerator
    {
        private readonly SipMessage _message;
        private int _i;

        internal Enumerator(SipMessage message)
        {
            _message = message;
            _i = -1;
        }

        public readonly SipHeaderField Current => new(_message, _i);

        public bool MoveNext() => ++_i < _message.Entries.Length;
    }
}

/// <summary>A SIP request (RFC 3261 section 7.1).</summary>
public sealed class SipRequest : SipMessage
{
    private readonly (int Start, int Length) _uriRange;
    private SipUri? _uri;

    internal SipRequest(ReadOnlyMemory<byte> raw, HeaderEntry[] entries, in ParsedHot hot, SipMethod method, (int Start, int Length) uri)
        : base(raw, entries, hot)
    {
        Method = method;
        _uriRange = uri;
    }

    public override bool IsRequest => true;

    public SipMethod Method { get; }

    public SipUri RequestUri => _uri ??= SipUri.TryParse(Raw.Span.Slice(_uriRange.Start, _uriRange.Length), null, out var u)
        ? u : throw new InvalidOperationException("Request-URI was validated.");

    public override SipMessageBuilder ToBuilder()
    {
        var b = SipMessageBuilder.Request(Method, RequestUri.ToString());
        CopyTo(b);
        return b;
    }
}

/// <summary>A SIP response (RFC 3261 section 7.2).</summary>
public sealed class SipResponse : SipMessage
{
    private readonly (int Start, int Length) _reasonRange;
    private string? _reason;

    internal SipResponse(ReadOnlyMemory<byte> raw, HeaderEntry[] entries, in ParsedHot hot, int statusCode, (int Start, int Length) reason)
        : base(raw, entries, hot)
    {
        StatusCode = statusCode;
        _reasonRange = reason;
    }

    public override bool IsRequest => false;

    public int StatusCode { get; }

    public string ReasonPhrase => _reason ??= Encoding.UTF8.GetString(Raw.Span.Slice(_reasonRange.Start, _reasonRange.Length));

    public bool IsProvisional => StatusCode < 200;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public bool IsFinal => StatusCode >= 200;

    public override SipMessageBuilder ToBuilder()
    {
        var b = SipMessageBuilder.Response(StatusCode, ReasonPhrase);
        CopyTo(b);
        return b;
    }
}
