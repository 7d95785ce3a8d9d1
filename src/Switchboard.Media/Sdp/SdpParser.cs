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
            string value = line[2..].ToString();
            if (!sawVersion)
            {
                if (type != 'v' || value != "0")
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

                string[] o = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (o.Length != 6)
                {
                    error = new SdpParseError(SdpParseErrorCode.BadOrigin, lineNumber);
                    return false;
                }

                session = new SdpSessionDescription(new SdpOrigin(o[0], o[1], o[2], o[3], o[4], o[5]));
                continue;
            }

            SdpParseErrorCode code = type switch
            {
                's' when media is null => SetSessionName(ref sessionName, value),
                'c' => ParseConnection(value, (SdpAttributeHolder?)media ?? session),
                'm' => ParseMedia(value, session, out media),
                'a' => media is null ? ParseSessionAttribute(value, session) : ParseMediaAttribute(value, media),
                _ => AddLine(type, value, (SdpAttributeHolder?)media ?? session),
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

    private static SdpParseErrorCode ParseConnection(string value, SdpAttributeHolder holder)
    {
        string[] c = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (c.Length != 3)
        {
            return SdpParseErrorCode.BadConnection;
        }

        holder.Connection = new SdpConnection(c[0], c[1], c[2]);
        return SdpParseErrorCode.None;
    }

    private static SdpParseErrorCode ParseMedia(string value, SdpSessionDescription session, out SdpMediaDescription? media)
    {
        media = null;
        string[] m = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (m.Length < 3)
        {
            return SdpParseErrorCode.BadMedia;
        }

        string portText = m[1];
        int? count = null;
        int slash = portText.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!TryParseInt(portText.AsSpan(slash + 1), out int n))
            {
                return SdpParseErrorCode.BadMedia;
            }

            count = n;
            portText = portText[..slash];
        }

        if (!TryParseInt(portText, out int port) || port > 65535)
        {
            return SdpParseErrorCode.BadMedia;
        }

        media = new SdpMediaDescription(m[0], port, m[2]) { PortCount = count };
        for (int i = 3; i < m.Length; i++)
        {
            media.Formats.Add(m[i]);
        }

        session.Media.Add(media);
        return SdpParseErrorCode.None;
    }

    private static SdpParseErrorCode ParseSessionAttribute(string text, SdpSessionDescription session)
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

    private static SdpParseErrorCode ParseMediaAttribute(string text, SdpMediaDescription media)
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

        string[] parts = value.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !TryParseInt(parts[0], out int pt) || pt > 127)
        {
            return SdpParseErrorCode.BadRtpMap;
        }

        string[] enc = parts[1].Trim().Split('/');
        if (enc.Length is < 2 or > 3 || enc[0].Length == 0 || !TryParseInt(enc[1], out int rate) || rate == 0)
        {
            return SdpParseErrorCode.BadRtpMap;
        }

        int? channels = null;
        if (enc.Length == 3)
        {
            if (!TryParseInt(enc[2], out int ch) || ch == 0)
            {
                return SdpParseErrorCode.BadRtpMap;
            }

            channels = ch;
        }

        media.RtpMaps.Add(new SdpRtpMap(pt, enc[0], rate, channels));
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

    private static void Split(string text, out string name, out string? value)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            name = text;
            value = null;
        }
        else
        {
            name = text[..colon];
            value = text[(colon + 1)..];
        }
    }

    private static bool TryParseInt(ReadOnlySpan<char> text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
