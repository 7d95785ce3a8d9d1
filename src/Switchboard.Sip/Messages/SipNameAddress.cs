using System.Diagnostics.CodeAnalysis;
using System.Text;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Messages;

/// <summary>
/// A name-addr or addr-spec with header parameters, as in From, To, Contact, Route and Record-Route
/// (RFC 3261 sections 20.10, 20.20, 20.30, 20.34, 20.39).
/// </summary>
public sealed class SipNameAddress
{
    private readonly string _text;
    private IReadOnlyList<SipParameter>? _parameters;

    private SipNameAddress(string text, SipUri uri)
    {
        _text = text;
        Uri = uri;
    }

    /// <summary>Display name with quotes and quoted-pairs removed, or null.</summary>
    public string? DisplayName { get; private init; }

    public SipUri Uri { get; }

    /// <summary>Header parameters (after the URI), e.g. tag, expires, q.</summary>
    public IReadOnlyList<SipParameter> Parameters => _parameters ??= ReadParametersOf(_text);

    /// <summary>The tag parameter, read with the header (dialogs need it; the other parameters are read when asked for).</summary>
    public string? Tag { get; private init; }

    public static bool TryParse(string? text, [NotNullWhen(true)] out SipNameAddress? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text)) return false;
        var bytes = Encoding.UTF8.GetBytes(text);
        return TryParse(bytes, text, out value);
    }

    public static SipNameAddress Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"Not a valid name-addr: '{text}'.");

    internal static bool TryParse(ReadOnlySpan<byte> s, string? text, [NotNullWhen(true)] out SipNameAddress? value)
    {
        value = null;
        if (!HeaderSyntax.TryParseNameAddr(s, out var r)) return false;
        var uriSpan = s.Slice(r.Uri.Start, r.Uri.Length);
        if (!SipUri.TryParse(uriSpan, null, out var uri)) return false;
        string? display = null;
        if (r.HasDisplay)
        {
            var d = s.Slice(r.Display.Start, r.Display.Length);
            display = d[0] == '"' ? Escaping.Unquote(d) : Encoding.UTF8.GetString(d);
        }
        value = new SipNameAddress(text ?? Encoding.UTF8.GetString(SipSyntax.Trim(s)), uri)
        {
            DisplayName = display,
            Tag = r.HasTag ? Encoding.UTF8.GetString(s.Slice(r.Tag.Start, r.Tag.Length)) : null,
        };
        return true;
    }

    /// <summary>The header parameters of a name-addr's text (parsed again: they are rarely read, so not kept from the message).</summary>
    private static SipParameter[] ReadParametersOf(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return HeaderSyntax.TryParseNameAddr(bytes, out var r) ? ReadParameters(bytes, r.Params.Start) : [];
    }

    internal static SipParameter[] ReadParameters(ReadOnlySpan<byte> s, int start)
    {
        var reader = new HeaderParamReader(s, start);
        List<SipParameter>? list = null;
        while (reader.TryNext(out var name, out var value, out var hasValue))
        {
            (list ??= []).Add(new SipParameter(
                Encoding.UTF8.GetString(s.Slice(name.Start, name.Length)),
                hasValue ? Encoding.UTF8.GetString(s.Slice(value.Start, value.Length)) : null));
        }
        return list is null ? [] : [.. list];
    }

    /// <summary>Makes a name-addr "&lt;uri&gt;" with an optional quoted display name and tag.</summary>
    public static SipNameAddress Create(SipUri uri, string? displayName = null, string? tag = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var sb = new StringBuilder();
        if (!string.IsNullOrEmpty(displayName)) sb.Append(Escaping.Quote(displayName)).Append(' ');
        sb.Append('<').Append(uri).Append('>');
        if (tag is not null) sb.Append(";tag=").Append(tag);
        return Parse(sb.ToString());
    }

    /// <summary>The same address with a tag parameter added (or replaced).</summary>
    public SipNameAddress WithTag(string tag)
    {
        var sb = new StringBuilder();
        if (DisplayName is not null) sb.Append(Escaping.Quote(DisplayName)).Append(' ');
        sb.Append('<').Append(Uri).Append('>');
        foreach (var p in Parameters)
        {
            if (!string.Equals(p.Name, "tag", StringComparison.OrdinalIgnoreCase)) sb.Append(';').Append(p.ToString());
        }
        sb.Append(";tag=").Append(tag);
        return Parse(sb.ToString());
    }

    /// <summary>The text as written in the message.</summary>
    public override string ToString() => _text;
}
