using System.Text;

namespace Switchboard.Sip.Messages;

/// <summary>Header fields the core knows by name. Everything else is <see cref="Unknown"/> and kept as raw text.</summary>
public enum SipHeaderId : byte
{
    Unknown = 0,
    Via,
    From,
    To,
    CallId,
    CSeq,
    Contact,
    MaxForwards,
    ContentLength,
    ContentType,
    ContentEncoding,
    Route,
    RecordRoute,
    Expires,
    Authorization,
    WwwAuthenticate,
    ProxyAuthenticate,
    ProxyAuthorization,
    Subject,
    Supported,
    Require,
    ProxyRequire,
    Unsupported,
    Allow,
    Accept,
    Date,
    UserAgent,
    Server,
    Event,
    AllowEvents,
    ReferTo,
    ReferredBy,
    SessionExpires,
    MinExpires,
    RetryAfter,
    Identity,
    AcceptContact,
    RejectContact,
    RequestDisposition,
}

/// <summary>Canonical names and compact forms (RFC 3261 section 7.3.3 and the IANA registry) of <see cref="SipHeaderId"/>.</summary>
public static class SipHeaderNames
{
    private static readonly string[] Canonical =
    [
        "", "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Max-Forwards", "Content-Length", "Content-Type",
        "Content-Encoding", "Route", "Record-Route", "Expires", "Authorization", "WWW-Authenticate",
        "Proxy-Authenticate", "Proxy-Authorization", "Subject", "Supported", "Require", "Proxy-Require",
        "Unsupported", "Allow", "Accept", "Date", "User-Agent", "Server", "Event", "Allow-Events", "Refer-To",
        "Referred-By", "Session-Expires", "Min-Expires", "Retry-After", "Identity", "Accept-Contact",
        "Reject-Contact", "Request-Disposition",
    ];

    private static readonly byte[][] CanonicalUtf8 = Array.ConvertAll(Canonical, Encoding.ASCII.GetBytes);

    private static readonly Dictionary<string, SipHeaderId> ByLowerName = BuildLookup();

    private static Dictionary<string, SipHeaderId> BuildLookup()
    {
        var d = new Dictionary<string, SipHeaderId>(StringComparer.Ordinal);
        for (var i = 1; i < Canonical.Length; i++) d[Canonical[i].ToLowerInvariant()] = (SipHeaderId)i;
        // Compact forms, RFC 3261 section 7.3.3, RFC 3265, RFC 3515, RFC 3892, RFC 4028, RFC 3841, RFC 8224.
        d["i"] = SipHeaderId.CallId;
        d["m"] = SipHeaderId.Contact;
        d["e"] = SipHeaderId.ContentEncoding;
        d["l"] = SipHeaderId.ContentLength;
        d["c"] = SipHeaderId.ContentType;
        d["f"] = SipHeaderId.From;
        d["s"] = SipHeaderId.Subject;
        d["k"] = SipHeaderId.Supported;
        d["t"] = SipHeaderId.To;
        d["v"] = SipHeaderId.Via;
        d["o"] = SipHeaderId.Event;
        d["u"] = SipHeaderId.AllowEvents;
        d["r"] = SipHeaderId.ReferTo;
        d["b"] = SipHeaderId.ReferredBy;
        d["x"] = SipHeaderId.SessionExpires;
        d["y"] = SipHeaderId.Identity;
        d["a"] = SipHeaderId.AcceptContact;
        d["j"] = SipHeaderId.RejectContact;
        d["d"] = SipHeaderId.RequestDisposition;
        return d;
    }

    /// <summary>The canonical (long form) name, e.g. "Call-ID" for <see cref="SipHeaderId.CallId"/>.</summary>
    public static string GetName(SipHeaderId id) => Canonical[(int)id];

    internal static ReadOnlySpan<byte> GetNameUtf8(SipHeaderId id) => CanonicalUtf8[(int)id];

    /// <summary>Identifies a header name case-insensitively, compact forms included.</summary>
    public static SipHeaderId Identify(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ByLowerName.TryGetValue(name.ToLowerInvariant(), out var id) ? id : SipHeaderId.Unknown;
    }

    /// <summary>Identifies a header name given as bytes without allocating for names up to 32 bytes.</summary>
    public static SipHeaderId Identify(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > 32) return SipHeaderId.Unknown;
        var fast = IdentifyCommon(name);
        if (fast != SipHeaderId.Unknown) return fast;
        Span<char> lower = stackalloc char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            var b = name[i];
            if (b >= 0x80) return SipHeaderId.Unknown;
            lower[i] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b | 0x20 : b);
        }
        var lookup = ByLowerName.GetAlternateLookup<ReadOnlySpan<char>>();
        return lookup.TryGetValue(lower, out var id) ? id : SipHeaderId.Unknown;
    }

    /// <summary>The headers of nearly every message, without a dictionary lookup; canonical spelling is tried first.</summary>
    private static SipHeaderId IdentifyCommon(ReadOnlySpan<byte> n)
    {
        return n.Length switch
        {
            1 => (n[0] | 0x20) switch
            {
                'v' => SipHeaderId.Via,
                'f' => SipHeaderId.From,
                't' => SipHeaderId.To,
                'i' => SipHeaderId.CallId,
                'm' => SipHeaderId.Contact,
                'l' => SipHeaderId.ContentLength,
                'c' => SipHeaderId.ContentType,
                _ => SipHeaderId.Unknown,
            },
            2 => Is(n, "To"u8, SipHeaderId.To),
            3 => Is(n, "Via"u8, SipHeaderId.Via),
            4 => Is(n, "From"u8, SipHeaderId.From) | Is(n, "CSeq"u8, SipHeaderId.CSeq),
            5 => Is(n, "Route"u8, SipHeaderId.Route) | Is(n, "Allow"u8, SipHeaderId.Allow),
            7 => Is(n, "Call-ID"u8, SipHeaderId.CallId) | Is(n, "Contact"u8, SipHeaderId.Contact) | Is(n, "Expires"u8, SipHeaderId.Expires),
            9 => Is(n, "Supported"u8, SipHeaderId.Supported),
            10 => Is(n, "User-Agent"u8, SipHeaderId.UserAgent),
            12 => Is(n, "Max-Forwards"u8, SipHeaderId.MaxForwards) | Is(n, "Content-Type"u8, SipHeaderId.ContentType) | Is(n, "Record-Route"u8, SipHeaderId.RecordRoute),
            14 => Is(n, "Content-Length"u8, SipHeaderId.ContentLength),
            _ => SipHeaderId.Unknown,
        };

        static SipHeaderId Is(ReadOnlySpan<byte> a, ReadOnlySpan<byte> canonical, SipHeaderId id) =>
            a.SequenceEqual(canonical) || Ascii.EqualsIgnoreCase(a, canonical) ? id : SipHeaderId.Unknown;
    }

    /// <summary>Headers whose values are comma-separated lists (RFC 3261 section 7.3.1) that the core splits.</summary>
    public static bool IsList(SipHeaderId id) => id is SipHeaderId.Via or SipHeaderId.Contact or SipHeaderId.Route
        or SipHeaderId.RecordRoute or SipHeaderId.Supported or SipHeaderId.Require or SipHeaderId.ProxyRequire
        or SipHeaderId.Unsupported or SipHeaderId.Allow or SipHeaderId.Accept or SipHeaderId.AllowEvents
        or SipHeaderId.ContentEncoding;

    /// <summary>Headers that may appear at most once (RFC 3261 section 7.3.1 and table 2).</summary>
    internal static bool IsSingleton(SipHeaderId id) => id is SipHeaderId.From or SipHeaderId.To or SipHeaderId.CallId
        or SipHeaderId.CSeq or SipHeaderId.MaxForwards or SipHeaderId.ContentLength or SipHeaderId.ContentType
        or SipHeaderId.Expires;
}
