namespace Switchboard.Media.Sdp;

/// <summary>Media direction attributes (RFC 8866 section 6.7, RFC 3264 section 5.1).</summary>
public enum SdpDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

/// <summary>DTLS role negotiation, <c>a=setup</c> (RFC 4145 section 4, RFC 8842).</summary>
public enum SdpSetup
{
    ActPass,
    Active,
    Passive,
    HoldConn,
}

/// <summary>The o= line (RFC 8866 section 5.2). Ids are kept as text: Chromium's exceed 32 bits.</summary>
public sealed record SdpOrigin(string Username, string SessionId, string SessionVersion, string NetworkType, string AddressType, string Address);

/// <summary>A c= line (RFC 8866 section 5.7); <see cref="Address"/> is kept as written (may carry /ttl).</summary>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address);

/// <summary>An a=rtpmap (RFC 8866 section 6.6).</summary>
public sealed record SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, int? Channels = null);

/// <summary>An a=fmtp (RFC 8866 section 6.15): parameters kept as written.</summary>
public sealed record SdpFmtp(int PayloadType, string Parameters);

/// <summary>An a=fingerprint (RFC 8122 section 5): hash function name and colon-separated hex.</summary>
public sealed record SdpFingerprint(string HashFunction, string Value)
{
    public override string ToString() => HashFunction + " " + Value;
}

/// <summary>An a=group (RFC 5888), for example <c>BUNDLE 0 1</c> (RFC 8843).</summary>
public sealed record SdpGroup(string Semantics, IReadOnlyList<string> Mids);

/// <summary>An attribute this model does not interpret, kept so it can be written back.</summary>
public sealed record SdpAttributeLine(string Name, string? Value);

/// <summary>Any other line (i=, u=, e=, p=, t=, r=, z=, k=, b=) kept as written.</summary>
public sealed record SdpLine(char Type, string Value);

/// <summary>Attributes that may appear at session or media level.</summary>
public abstract class SdpAttributeHolder
{
    public SdpConnection? Connection { get; set; }

    /// <summary>Direction attribute, or null when absent (meaning sendrecv, unless the session says otherwise).</summary>
    public SdpDirection? Direction { get; set; }

    public string? IceUfrag { get; set; }

    public string? IcePwd { get; set; }

    public List<string> IceOptions { get; } = [];

    public List<SdpFingerprint> Fingerprints { get; } = [];

    public SdpSetup? Setup { get; set; }

    /// <summary>Other lines of this level (b=, i=, k= and at session level u=, e=, p=, t=, r=, z=).</summary>
    public List<SdpLine> OtherLines { get; } = [];

    public List<SdpAttributeLine> OtherAttributes { get; } = [];
}

/// <summary>One m= section (RFC 8866 section 5.14) with the attributes we negotiate on.</summary>
public sealed class SdpMediaDescription : SdpAttributeHolder
{
    public SdpMediaDescription(string media, int port, string protocol)
    {
        Media = media;
        Port = port;
        Protocol = protocol;
    }

    /// <summary>audio, video, application, ...</summary>
    public string Media { get; set; }

    /// <summary>Transport port; 0 rejects the section (RFC 3264 section 6).</summary>
    public int Port { get; set; }

    public int? PortCount { get; set; }

    /// <summary>RTP/AVP, UDP/TLS/RTP/SAVPF, ...</summary>
    public string Protocol { get; set; }

    /// <summary>Format tokens in preference order: RTP payload types as text.</summary>
    public List<string> Formats { get; } = [];

    public string? Mid { get; set; }

    public bool RtcpMux { get; set; }

    public bool RtcpRsize { get; set; }

    /// <summary>RFC 8843 bundle-only.</summary>
    public bool BundleOnly { get; set; }

    /// <summary>The value of a=rtcp, kept as written.</summary>
    public string? Rtcp { get; set; }

    public List<SdpRtpMap> RtpMaps { get; } = [];

    public List<SdpFmtp> Fmtps { get; } = [];

    public int? Ptime { get; set; }

    public int? MaxPtime { get; set; }

    /// <summary>Values of a=candidate lines (after "candidate:"), kept raw.</summary>
    public List<string> Candidates { get; } = [];

    public bool EndOfCandidates { get; set; }

    /// <summary>Values of a=ssrc lines (after "ssrc:"), kept raw.</summary>
    public List<string> SsrcLines { get; } = [];

    /// <summary>True for RTP profiles (RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, ...).</summary>
    public bool IsRtp => Protocol.Contains("RTP/", StringComparison.Ordinal);

    public SdpRtpMap? FindRtpMap(int payloadType)
    {
        foreach (SdpRtpMap map in RtpMaps)
        {
            if (map.PayloadType == payloadType)
            {
                return map;
            }
        }

        return null;
    }

    public SdpFmtp? FindFmtp(int payloadType)
    {
        foreach (SdpFmtp fmtp in Fmtps)
        {
            if (fmtp.PayloadType == payloadType)
            {
                return fmtp;
            }
        }

        return null;
    }
}

/// <summary>A whole session description (RFC 8866 section 5).</summary>
public sealed class SdpSessionDescription : SdpAttributeHolder
{
    public SdpSessionDescription(SdpOrigin origin, string sessionName = "-")
    {
        Origin = origin;
        SessionName = sessionName;
    }

    public SdpOrigin Origin { get; set; }

    public string SessionName { get; set; }

    /// <summary>a=ice-lite (RFC 8839 section 5.3).</summary>
    public bool IceLite { get; set; }

    public List<SdpGroup> Groups { get; } = [];

    public List<SdpMediaDescription> Media { get; } = [];

    /// <summary>The mids of the first BUNDLE group, or empty.</summary>
    public IReadOnlyList<string> BundleMids
    {
        get
        {
            foreach (SdpGroup group in Groups)
            {
                if (string.Equals(group.Semantics, "BUNDLE", StringComparison.Ordinal))
                {
                    return group.Mids;
                }
            }

            return [];
        }
    }

    /// <summary>The section's c= line, or the session's.</summary>
    public SdpConnection? ConnectionOf(SdpMediaDescription media) => media.Connection ?? Connection;

    /// <summary>The section's direction, or the session's, or sendrecv (RFC 8866 section 6.7).</summary>
    public SdpDirection DirectionOf(SdpMediaDescription media) => media.Direction ?? Direction ?? SdpDirection.SendRecv;

    public string? IceUfragOf(SdpMediaDescription media) => media.IceUfrag ?? IceUfrag;

    public string? IcePwdOf(SdpMediaDescription media) => media.IcePwd ?? IcePwd;

    public SdpSetup? SetupOf(SdpMediaDescription media) => media.Setup ?? Setup;

    /// <summary>The section's fingerprints, or the session's (RFC 8122 section 5).</summary>
    public IReadOnlyList<SdpFingerprint> FingerprintsOf(SdpMediaDescription media) => media.Fingerprints.Count > 0 ? media.Fingerprints : Fingerprints;
}
