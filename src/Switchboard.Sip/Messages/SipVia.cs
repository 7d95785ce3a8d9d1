using System.Globalization;
using System.Text;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Messages;

/// <summary>One Via header value (RFC 3261 section 20.42, RFC 3581 rport).</summary>
public sealed class SipVia
{
    /// <summary>The RFC 3261 branch prefix (section 8.1.1.7).</summary>
    public const string MagicCookie = "z9hG4bK";

    private readonly string _text;
    private IReadOnlyList<SipParameter>? _parameters;

    private SipVia(string text) => _text = text;

    /// <summary>"SIP/2.0".</summary>
    public string Protocol { get; private init; } = "SIP/2.0";

    /// <summary>Transport in upper case ("UDP", "TCP", "TLS", "WS", "WSS", "SCTP", ...).</summary>
    public string Transport { get; private init; } = "";

    public string Host { get; private init; } = "";

    public int? Port { get; private init; }

    public string? Branch { get; private init; }

    public string? Received { get; private init; }

    /// <summary>Whether an rport parameter is present (RFC 3581), with or without a value.</summary>
    public bool HasRPort { get; private init; }

    public int? RPort { get; private init; }

    /// <summary>Every parameter (read from the text when first asked for: transactions need only the branch).</summary>
    public IReadOnlyList<SipParameter> Parameters => _parameters ??= ReadParametersOf(_text);

    /// <summary>sent-by: host[:port], compared case-insensitively by transaction matching (section 17.2.3).</summary>
    public string SentBy => Port is { } p ? $"{Host}:{p.ToString(CultureInfo.InvariantCulture)}" : Host;

    /// <summary>Whether the branch starts with the RFC 3261 magic cookie.</summary>
    public bool HasRfc3261Branch => Branch is not null && Branch.StartsWith(MagicCookie, StringComparison.Ordinal);

    internal static SipVia FromRanges(ReadOnlySpan<byte> s, in ViaRanges r) => new(Encoding.UTF8.GetString(s))
    {
        Protocol = s.Slice(r.ProtocolName.Start, r.ProtocolName.Length).SequenceEqual("SIP"u8) && s.Slice(r.ProtocolVersion.Start, r.ProtocolVersion.Length).SequenceEqual("2.0"u8)
            ? "SIP/2.0"
            : string.Concat(Ascii(s, r.ProtocolName), "/", Ascii(s, r.ProtocolVersion)),
        Transport = KnownTransport(s.Slice(r.Transport.Start, r.Transport.Length)) ?? Ascii(s, r.Transport).ToUpperInvariant(),
        Host = Ascii(s, r.Host),
        Port = r.Port >= 0 ? r.Port : null,
        Branch = r.HasBranch ? Ascii(s, r.Branch) : null,
        Received = r.HasReceived ? Ascii(s, r.Received) : null,
        HasRPort = r.HasRPort,
        RPort = r.HasRPort && r.RPort >= 0 ? r.RPort : null,
    };

    private static SipParameter[] ReadParametersOf(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return HeaderSyntax.TryParseVia(bytes, out var r) ? SipNameAddress.ReadParameters(bytes, r.Params.Start) : [];
    }

    private static string? KnownTransport(ReadOnlySpan<byte> token)
    {
        foreach (var known in (ReadOnlySpan<string>)["UDP", "TCP", "TLS", "WS", "WSS", "SCTP"])
        {
            if (token.Length == known.Length && System.Text.Ascii.EqualsIgnoreCase(token, known)) return known;
        }

        return null;
    }

    public static bool TryParse(string text, out SipVia? via)
    {
        ArgumentNullException.ThrowIfNull(text);
        via = null;
        var bytes = Encoding.UTF8.GetBytes(text);
        if (!HeaderSyntax.TryParseVia(bytes, out var r)) return false;
        via = FromRanges(bytes, r);
        return true;
    }

    /// <summary>Formats a Via value "SIP/2.0/{transport} {sentBy};branch={branch}" with optional ";rport".</summary>
    public static string Format(string transport, string sentBy, string branch, bool rport = false) =>
        $"SIP/2.0/{transport} {sentBy};branch={branch}{(rport ? ";rport" : "")}";

    private static string Ascii(ReadOnlySpan<byte> s, (int Start, int Length) r) => Encoding.UTF8.GetString(s.Slice(r.Start, r.Length));

    public override string ToString() => _text;
}
