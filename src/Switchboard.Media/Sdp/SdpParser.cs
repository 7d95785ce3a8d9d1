using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Switchboard.Media.Sdp;

/// <summary>Why an SDP body was rejected.</summary>
public enum SdpParseErrorCode
{
    None = 0,
    Empty,
    TooLarge,
    /// <summary>The first line is not v=0.</summary>
    BadVersion,
    /// <summary>A line is not of the form x=value with x a lowercase letter.</summary>
    BadLine,
    BadOrigin,
    MissingOrigin,
    BadConnection,
    BadMedia,
    BadRtpMap,
    BadFmtp,
    BadFingerprint,
    BadSetup,
    BadGroup,
}

/// <summary>A parse error and the 1-based line it was found on (0 when not tied to a line).</summary>
public readonly record struct SdpParseError(SdpParseErrorCode Code, int Line)
{
    public static SdpParseError None => default;
}

/// <summary>
/// Parses SDP (RFC 8866) into <see cref="SdpSessionDescription"/>. Accepts CRLF or bare LF and ignores
/// blank lines; unknown attributes and lines are kept raw. Never throws on bad input.
/// </summary>
public static class SdpParser
{
    /// <summary>Bodies larger than this are refused.</summary>
    public const int MaxLength = 64 * 1024;

    public static bool TryParse(string text, [NotNullWhen(true)] out SdpSessionDescription? description, out SdpParseError error)
    {
        ArgumentNullException.ThrowIfNull(text);
        description = null;
        error = SdpParseError.None;
        if (text.Length > MaxLength)
        {
            error = new SdpParseError(SdpParseErrorCode.TooLarge, 0);
            return false;
        }

        SdpSessionDescription? session = null;
        SdpMediaDescription? media = null;
        bool sawVersion = false;
        string sessionName = "-";
        int lineNumber = 0;
        Span<Range> o = stackalloc Range[7];
        foreach (ReadOnlySpan<char> rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            ReadOnlySpan<char> line = rawLine.TrimEnd();
            if (line.IsEmpty)
            {
                continue;
            }

            if (line.Length < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
            {
                error = new SdpParseError(SdpParseErrorCode.BadLine, lineNumber);
                return false;
            }

            char type = line[0];
            ReadOnlySpan<char> value = line[2..];
            if (!sawVersion)
            {
                if (type != 'v' || !value.SequenceEqual("0"))
                {
                    error = new SdpParseError(SdpParseErrorCode.BadVersion, lineNumber);
                    return false;
                }

                sawVersion = true;
                continue;
            }

            if (session is null)
            {
                if (type != 'o')
                {
                    error = new SdpParseError(SdpParseErrorCode.MissingOrigin, lineNumber);
                    return false;
                }

                var body = line[2..];
                if (body.Split(o, ' ', StringSplitOptions.RemoveEmptyEntries) != 6)
                {
                    error = new SdpParseError(SdpParseErrorCode.BadOrigin, lineNumber);
                    return false;
                }

                session = new SdpSessionDescription(new SdpOrigin(body[o[0]].ToString(), body[o[1]].ToString(), body[o[2]].ToString(),
                    SdpTokens.Text(body[o[3]]), SdpTokens.Text(body[o[4]]), body[o[5]].ToString()));
                continue;
            }

            SdpParseErrorCode code = type switch
            {
                's' when media is null => SetSessionName(ref sessionName, value.SequenceEqual("-") ? "-" : value.ToString()),
                'c' => ParseConnection(value, (SdpAttributeHolder?)media ?? session),
                'm' => ParseMedia(value, session, out media),
                'a' => media is null ? ParseSessionAttribute(value, session) : ParseMediaAttribute(value, media),
                _ => AddLine(type, SdpTokens.Text(value), (SdpAttributeHolder?)media ?? session),
            };
            if (code != SdpParseErrorCode.None)
            {
                error = new SdpParseError(code, lineNumber);
                return false;
            }
        }

        if (!sawVersion)
        {
            error = new SdpParseError(SdpParseErrorCode.Empty, 0);
            return false;
        }

        if (session is null)
        {
            error = new SdpParseError(SdpParseErrorCode.MissingOrigin, 0);
            return false;
        }

        session.SessionName = sessionName;
        description = session;
        return true;
    }

    private static SdpParseErrorCode SetSessionName(ref string name, string value)
    {
        name = value;
        return SdpParseErrorCode.None;
    }

    private static SdpParseErrorCode AddLine(char type, string value, SdpAttributeHolder holder)
    {
        holder.OtherLines.Add(new SdpLine(type, value));
        return SdpParseErrorCode.None;
    }

    private static SdpParseErrorCode ParseConnection(ReadOnlySpan<char> value, SdpAttributeHolder holder)
    {
        Span<Range> c = stackalloc Range[4];
        if (value.Split(c, ' ', StringSplitOptions.RemoveEmptyEntries) != 3)
        {
            return SdpParseErrorCode.BadConnection;
        }

        holder.Connection = new SdpConnection(SdpTokens.Text(value[c[0]]), SdpTokens.Text(value[c[1]]), SdpTokens.Text(value[c[2]]));
        return SdpParseErrorCode.None;
    }

    private static SdpParseErrorCode ParseMedia(ReadOnlySpan<char> value, SdpSessionDescription session, out SdpMediaDescription? media)
    {
        media = null;
        var tokens = value.SplitAny(" ");
        ReadOnlySpan<char> kind = default, portText = default, protocol = default;
        var n = 0;
        while (n < 3 && tokens.MoveNext())
        {
            var token = value[tokens.Current];
            if (token.IsEmpty)
            {
                continue;
            }

            if (n == 0) kind = token;
            else if (n == 1) portText = token;
            else protocol = token;
            n++;
        }

        if (n < 3)
        {
            return SdpParseErrorCode.BadMedia;
        }

        int? count = null;
        int slash = portText.IndexOf('/');
        if (slash >= 0)
        {
            if (!TryParseInt(portText[(slash + 1)..], out int c))
            {
                return SdpParseErrorCode.BadMedia;
            }

            count = c;
            portText = portText[..slash];
        }

        if (!TryParseInt(portText, out int port) || port > 65535)
        {
            return SdpParseErrorCode.BadMedia;
        }

        media = new SdpMediaDescription(SdpTokens.Text(kind), port, SdpTokens.Text(protocol)) { PortCount = count };
        while (tokens.MoveNext())
        {
            var format = value[tokens.Current];
            if (!format.IsEmpty)
            {
                media.Formats.Add(SdpTokens.Text(format));
            }
        }

        session.Media.Add(media);
        return SdpParseErrorCode.None;
    }

    private static SdpParseErrorCode ParseSessionAttribute(ReadOnlySpan<char> text, SdpSessionDescription session)
    {
        Split(text, out string name, out string? value);
        switch (name)
        {
            case "ice-lite":
                session.IceLite = true;
                return SdpParseErrorCode.None;
            case "group":
                if (value is null)
                {
                    return SdpParseErrorCode.BadGroup;
                }

                string[] g = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (g.Length == 0)
                {
                    return SdpParseErrorCode.BadGroup;
                }

                session.Groups.Add(new SdpGroup(g[0], g[1..]));
                return SdpParseErrorCode.None;
            default:
                return ParseCommonAttribute(name, value, session);
        }
    }

    private static SdpParseErrorCode ParseMediaAttribute(ReadOnlySpan<char> text, SdpMediaDescription media)
    {
        Split(text, out string name, out string? value);
        switch (name)
        {
            case "mid":
                media.Mid = value;
                return SdpParseErrorCode.None;
            case "rtcp-mux":
                media.RtcpMux = true;
                return SdpParseErrorCode.None;
            case "rtcp-rsize":
                media.RtcpRsize = true;
                return SdpParseErrorCode.None;
            case "bundle-only":
                media.BundleOnly = true;
                return SdpParseErrorCode.None;
            case "rtcp":
                media.Rtcp = value;
                return SdpParseErrorCode.None;
            case "candidate" when value is not null:
                media.Candidates.Add(value);
                return SdpParseErrorCode.None;
            case "end-of-candidates":
                media.EndOfCandidates = true;
                return SdpParseErrorCode.None;
            case "ssrc" when value is not null:
                media.SsrcLines.Add(value);
                return SdpParseErrorCode.None;
            case "ptime" when value is not null && TryParseInt(value, out int ptime):
                media.Ptime = ptime;
                return SdpParseErrorCode.None;
            case "maxptime" when value is not null && TryParseInt(value, out int maxptime):
                media.MaxPtime = maxptime;
                return SdpParseErrorCode.None;
            case "rtpmap":
                return ParseRtpMap(value, media);
            case "fmtp":
                return ParseFmtp(value, media);
            default:
                return ParseCommonAttribute(name, value, media);
        }
    }

    private static SdpParseErrorCode ParseCommonAttribute(string name, string? value, SdpAttributeHolder holder)
    {
        switch (name)
        {
            case "sendrecv":
                holder.Direction = SdpDirection.SendRecv;
                break;
            case "sendonly":
                holder.Direction = SdpDirection.SendOnly;
                break;
            case "recvonly":
                holder.Direction = SdpDirection.RecvOnly;
                break;
            case "inactive":
                holder.Direction = SdpDirection.Inactive;
                break;
            case "ice-ufrag" when value is not null:
                holder.IceUfrag = value;
                break;
            case "ice-pwd" when value is not null:
                holder.IcePwd = value;
                break;
            case "ice-options" when value is not null:
                holder.IceOptions.AddRange(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                break;
            case "fingerprint":
                string[]? f = value?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f is not { Length: 2 })
                {
                    return SdpParseErrorCode.BadFingerprint;
                }

                holder.Fingerprints.Add(new SdpFingerprint(f[0].ToLowerInvariant(), f[1]));
                break;
            case "setup":
                holder.Setup = value switch
                {
                    "actpass" => SdpSetup.ActPass,
                    "active" => SdpSetup.Active,
                    "passive" => SdpSetup.Passive,
                    "holdconn" => SdpSetup.HoldConn,
                    _ => null,
                };
                if (holder.Setup is null)
                {
                    return SdpParseErrorCode.BadSetup;
                }

                break;
            default:
                holder.OtherAttributes.Add(new SdpAttributeLine(name, value));
                break;
        }

        return SdpParseErrorCode.None;
    }

    private static SdpParseErrorCode ParseRtpMap(string? value, SdpMediaDescription media)
    {
        // <payload type> <encoding name>/<clock rate>[/<encoding parameters>]
        if (value is null)
        {
            return SdpParseErrorCode.BadRtpMap;
        }

        var text = value.AsSpan().TrimStart();
        var space = text.IndexOf(' ');
        if (space <= 0 || !TryParseInt(text[..space], out int pt) || pt > 127)
        {
            return SdpParseErrorCode.BadRtpMap;
        }

        Span<Range> enc = stackalloc Range[4];
        var encoding = text[(space + 1)..].Trim();
        var parts = encoding.Split(enc, '/');
        if (encoding.IsEmpty || parts is < 2 or > 3 || encoding[enc[0]].Length == 0 || !TryParseInt(encoding[enc[1]], out int rate) || rate == 0)
        {
            return SdpParseErrorCode.BadRtpMap;
        }

        int? channels = null;
        if (parts == 3)
        {
            if (!TryParseInt(encoding[enc[2]], out int ch) || ch == 0)
            {
                return SdpParseErrorCode.BadRtpMap;
            }

            channels = ch;
        }

        media.RtpMaps.Add(new SdpRtpMap(pt, SdpTokens.Text(encoding[enc[0]]), rate, channels));
        return SdpParseErrorCode.None;
    }

    private static SdpParseErrorCode ParseFmtp(string? value, SdpMediaDescription media)
    {
        if (value is null)
        {
            return SdpParseErrorCode.BadFmtp;
        }

        string[] parts = value.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !TryParseInt(parts[0], out int pt) || pt > 127)
        {
            return SdpParseErrorCode.BadFmtp;
        }

        media.Fmtps.Add(new SdpFmtp(pt, parts[1].Trim()));
        return SdpParseErrorCode.None;
    }

    /// <summary>An attribute's name and value (RFC 8866 section 5.13: a=name or a=name:value); common names and values shared.</summary>
    private static void Split(ReadOnlySpan<char> text, out string name, out string? value)
    {
        int colon = text.IndexOf(':');
        if (colon < 0)
        {
            name = SdpTokens.Text(text);
            value = null;
        }
        else
        {
            name = SdpTokens.Text(text[..colon]);
            value = SdpTokens.Text(text[(colon + 1)..]);
        }
    }

    private static bool TryParseInt(ReadOnlySpan<char> text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
