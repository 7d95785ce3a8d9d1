using System.Globalization;
using System.Text;

namespace Switchboard.Media.Sdp;

/// <summary>Writes a <see cref="SdpSessionDescription"/> as SDP text with CRLF line ends (RFC 8866 section 5).</summary>
public static class SdpWriter
{
    private const string SessionHeaderTypes = "iuep";

    /// <summary>One builder per thread, reused: a description is written on a call's loop, one at a time.</summary>
    [ThreadStatic]
    private static StringBuilder? t_builder;

    public static string Write(SdpSessionDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var sb = t_builder ?? new StringBuilder(1024);
        t_builder = null;
        SdpOrigin o = description.Origin;
        Line(sb, "v=0");
        sb.Append("o=").Append(o.Username).Append(' ').Append(o.SessionId).Append(' ').Append(o.SessionVersion).Append(' ')
            .Append(o.NetworkType).Append(' ').Append(o.AddressType).Append(' ').Append(o.Address).Append("\r\n");
        Line(sb, "s=", description.SessionName.Length == 0 ? "-" : description.SessionName);

        // RFC 8866 section 5 order: i u e p c b t r z k a.
        WriteLines(sb, description.OtherLines, SessionHeaderTypes);
        WriteConnection(sb, description.Connection);
        WriteLines(sb, description.OtherLines, "b");
        bool hasTiming = false;
        foreach (SdpLine line in description.OtherLines)
        {
            hasTiming |= line.Type == 't';
        }

        if (hasTiming)
        {
            WriteLines(sb, description.OtherLines, "trzk");
        }
        else
        {
            Line(sb, "t=0 0");
            WriteLines(sb, description.OtherLines, "zk");
        }

        if (description.IceLite)
        {
            Line(sb, "a=ice-lite");
        }

        foreach (SdpGroup group in description.Groups)
        {
            Line(sb, group.Mids.Count == 0 ? "a=group:" + group.Semantics : "a=group:" + group.Semantics + " " + string.Join(' ', group.Mids));
        }

        WriteCommon(sb, description);
        WriteAttributes(sb, description.OtherAttributes);

        foreach (SdpMediaDescription m in description.Media)
        {
            WriteMedia(sb, m);
        }

        var text = sb.ToString();
        sb.Clear();
        t_builder = sb;
        return text;
    }

    private static void WriteMedia(StringBuilder sb, SdpMediaDescription m)
    {
        sb.Append("m=").Append(m.Media).Append(' ').Append(SdpTokens.Text(m.Port));
        if (m.PortCount is int count)
        {
            sb.Append('/').Append(count.ToString(CultureInfo.InvariantCulture));
        }

        sb.Append(' ').Append(m.Protocol);
        foreach (string format in m.Formats)
        {
            sb.Append(' ').Append(format);
        }

        sb.Append("\r\n");
        WriteLines(sb, m.OtherLines, "i");
        WriteConnection(sb, m.Connection);
        WriteLines(sb, m.OtherLines, "bk");
        if (m.Rtcp is not null)
        {
            Line(sb, "a=rtcp:", m.Rtcp);
        }

        WriteCommon(sb, m);
        if (m.Mid is not null)
        {
            Line(sb, "a=mid:", m.Mid);
        }

        if (m.BundleOnly)
        {
            Line(sb, "a=bundle-only");
        }

        if (m.RtcpMux)
        {
            Line(sb, "a=rtcp-mux");
        }

        if (m.RtcpRsize)
        {
            Line(sb, "a=rtcp-rsize");
        }

        var written = new PayloadTypeSet();
        foreach (string format in m.Formats)
        {
            if (int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out int pt) && written.Add(pt))
            {
                WriteFormat(sb, m, pt);
            }
        }

        foreach (SdpRtpMap map in m.RtpMaps)
        {
            if (written.Add(map.PayloadType))
            {
                WriteFormat(sb, m, map.PayloadType);
            }
        }

        foreach (SdpFmtp fmtp in m.Fmtps)
        {
            if (written.Add(fmtp.PayloadType))
            {
                WriteFormat(sb, m, fmtp.PayloadType);
            }
        }

        if (m.Ptime is int ptime)
        {
            Line(sb, "a=ptime:", SdpTokens.Text(ptime));
        }

        if (m.MaxPtime is int maxptime)
        {
            Line(sb, "a=maxptime:", SdpTokens.Text(maxptime));
        }

        WriteAttributes(sb, m.OtherAttributes);
        foreach (string ssrc in m.SsrcLines)
        {
            Line(sb, "a=ssrc:", ssrc);
        }

        foreach (string candidate in m.Candidates)
        {
            Line(sb, "a=candidate:", candidate);
        }

        if (m.EndOfCandidates)
        {
            Line(sb, "a=end-of-candidates");
        }
    }

    private static void WriteFormat(StringBuilder sb, SdpMediaDescription m, int pt)
    {
        string ptText = SdpTokens.Text(pt);
        if (m.FindRtpMap(pt) is { } map)
        {
            sb.Append("a=rtpmap:").Append(ptText).Append(' ').Append(map.EncodingName).Append('/')
                .Append(SdpTokens.Text(map.ClockRate));
            if (map.Channels is int channels)
            {
                sb.Append('/').Append(channels.ToString(CultureInfo.InvariantCulture));
            }

            sb.Append("\r\n");
        }

        foreach (SdpFmtp fmtp in m.Fmtps)
        {
            if (fmtp.PayloadType == pt)
            {
                sb.Append("a=fmtp:").Append(ptText).Append(' ').Append(fmtp.Parameters).Append("\r\n");
            }
        }
    }

    private static void WriteCommon(StringBuilder sb, SdpAttributeHolder h)
    {
        if (h.IceUfrag is not null)
        {
            Line(sb, "a=ice-ufrag:", h.IceUfrag);
        }

        if (h.IcePwd is not null)
        {
            Line(sb, "a=ice-pwd:", h.IcePwd);
        }

        if (h.IceOptions.Count > 0)
        {
            Line(sb, "a=ice-options:", string.Join(' ', h.IceOptions));
        }

        foreach (SdpFingerprint f in h.Fingerprints)
        {
            sb.Append("a=fingerprint:").Append(f.HashFunction).Append(' ').Append(f.Value).Append("\r\n");
        }

        if (h.Setup is SdpSetup setup)
        {
            Line(sb, "a=setup:", setup switch
            {
                SdpSetup.ActPass => "actpass",
                SdpSetup.Active => "active",
                SdpSetup.Passive => "passive",
                _ => "holdconn",
            });
        }

        if (h.Direction is SdpDirection direction)
        {
            Line(sb, "a=", ToToken(direction));
        }
    }

    internal static string ToToken(SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => "sendonly",
        SdpDirection.RecvOnly => "recvonly",
        SdpDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    private static void WriteConnection(StringBuilder sb, SdpConnection? c)
    {
        if (c is not null)
        {
            sb.Append("c=").Append(c.NetworkType).Append(' ').Append(c.AddressType).Append(' ').Append(c.Address).Append("\r\n");
        }
    }

    private static void WriteAttributes(StringBuilder sb, List<SdpAttributeLine> attributes)
    {
        foreach (SdpAttributeLine a in attributes)
        {
            sb.Append("a=").Append(a.Name);
            if (a.Value is not null)
            {
                sb.Append(':').Append(a.Value);
            }

            sb.Append("\r\n");
        }
    }

    private static void WriteLines(StringBuilder sb, List<SdpLine> lines, string types)
    {
        foreach (char type in types)
        {
            foreach (SdpLine line in lines)
            {
                if (line.Type == type)
                {
                    sb.Append(type).Append('=').Append(line.Value).Append("\r\n");
                }
            }
        }
    }

    private static void Line(StringBuilder sb, string text) => sb.Append(text).Append("\r\n");

    private static void Line(StringBuilder sb, string prefix, string? text) => sb.Append(prefix).Append(text).Append("\r\n");

    /// <summary>The payload types written so far: a bit each for 0-127 (RTP's range), a set for anything else a format list holds.</summary>
    private struct PayloadTypeSet
    {
        private ulong _low;
        private ulong _high;
        private HashSet<int>? _other;

        public bool Add(int pt)
        {
            if (pt is < 0 or > 127)
            {
                return (_other ??= []).Add(pt);
            }

            ref var word = ref pt < 64 ? ref _low : ref _high;
            var bit = 1UL << (pt & 63);
            if ((word & bit) != 0)
            {
                return false;
            }

            word |= bit;
            return true;
        }
    }
}
