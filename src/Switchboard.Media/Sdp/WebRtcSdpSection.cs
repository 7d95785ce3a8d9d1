using System.Globalization;

namespace Switchboard.Media.Sdp;

/// <summary>What our WebRTC offer and answer share: the audio section's ICE, DTLS and stream lines, and the checks on the peer's.</summary>
internal static class WebRtcSdpSection
{
    /// <summary>
    /// Our audio section without formats: c=, ICE credentials and candidates with end-of-candidates
    /// (RFC 8839), fingerprint and setup (RFC 8122, RFC 8842), mid, direction, rtcp-mux (RFC 5761),
    /// a=ssrc cname and a=msid when set.
    /// </summary>
    public static SdpMediaDescription CreateAudio(WebRtcLocalOptions options, string protocol, SdpSetup setup, string? mid, SdpDirection direction)
    {
        var m = new SdpMediaDescription("audio", options.Port, protocol)
        {
            Connection = SdpBuild.Connection(options.Address),
            IceUfrag = options.IceUfrag,
            IcePwd = options.IcePwd,
            Setup = setup,
            Mid = mid,
            Direction = direction,
            RtcpMux = true,
            EndOfCandidates = true,
        };
        m.Fingerprints.Add(ParseFingerprint(options.Fingerprint));
        if (options.Ssrc is uint ssrc && options.Cname is { Length: > 0 } cname)
        {
            m.SsrcLines.Add(ssrc.ToString(CultureInfo.InvariantCulture) + " cname:" + cname);
        }

        if (options.Msid is { Length: > 0 } msid)
        {
            m.OtherAttributes.Add(new SdpAttributeLine("msid", msid));
        }

        foreach (string line in options.CandidateLines)
        {
            if (CandidateValue(line) is { } candidate)
            {
                m.Candidates.Add(candidate);
            }
        }

        return m;
    }

    /// <summary>
    /// The peer's audio section if it is usable WebRTC: UDP/TLS/RTP/SAVP(F), a fingerprint, ICE
    /// credentials, an a=setup that <paramref name="setupAllowed"/> accepts, rtcp-mux.
    /// </summary>
    public static SdpOfferError FindAudio(SdpSessionDescription description, Func<SdpSetup?, bool> setupAllowed, out SdpMediaDescription? audio)
    {
        ArgumentNullException.ThrowIfNull(description);
        audio = null;
        foreach (SdpMediaDescription m in description.Media)
        {
            if (m.Media == "audio" && (m.Port != 0 || m.BundleOnly))
            {
                audio = m;
                break;
            }
        }

        if (audio is null)
        {
            return SdpOfferError.NoAudioSection;
        }

        if (audio.Protocol is not ("UDP/TLS/RTP/SAVPF" or "UDP/TLS/RTP/SAVP"))
        {
            return SdpOfferError.UnsupportedProtocol;
        }

        if (description.FingerprintsOf(audio).Count == 0)
        {
            return SdpOfferError.NoFingerprint;
        }

        if (string.IsNullOrEmpty(description.IceUfragOf(audio)) || string.IsNullOrEmpty(description.IcePwdOf(audio)))
        {
            return SdpOfferError.NoIceCredentials;
        }

        if (!setupAllowed(description.SetupOf(audio)))
        {
            return SdpOfferError.UnsupportedSetup;
        }

        return audio.RtcpMux ? SdpOfferError.None : SdpOfferError.NoRtcpMux;
    }

    /// <summary>What was agreed, with the peer's transport details read from its <paramref name="remote"/> description.</summary>
    public static SdpNegotiatedAudio Negotiated(
        SdpSessionDescription remote, SdpMediaDescription audio, SdpPayloadFormat codec, SdpPayloadFormat? telephoneEvent, SdpDirection direction) =>
        new(
            audio.Mid,
            codec,
            telephoneEvent,
            direction,
            remote.ConnectionOf(audio),
            audio.Port,
            remote.IceUfragOf(audio),
            remote.IcePwdOf(audio),
            remote.FingerprintsOf(audio),
            audio.Ptime);

    private static SdpFingerprint ParseFingerprint(string text)
    {
        string trimmed = text.StartsWith("a=fingerprint:", StringComparison.Ordinal) ? text["a=fingerprint:".Length..] : text;
        string[] parts = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            throw new ArgumentException("Fingerprint must be \"<hash> <hex>\", e.g. \"sha-256 AB:CD:...\".", nameof(text));
        }

        return new SdpFingerprint(parts[0].ToLowerInvariant(), parts[1]);
    }

    /// <summary>
    /// Accepts "a=candidate:X", "candidate:X" or a bare "X"; skips "a=end-of-candidates" (we always
    /// write it). Any other attribute is a programmer error.
    /// </summary>
    private static string? CandidateValue(string line)
    {
        string s = line.Trim();
        if (s.StartsWith("a=", StringComparison.Ordinal))
        {
            s = s[2..];
        }

        if (s == "end-of-candidates")
        {
            return null;
        }

        if (s.StartsWith("candidate:", StringComparison.Ordinal))
        {
            return s["candidate:".Length..];
        }

        int space = s.IndexOf(' ', StringComparison.Ordinal);
        int colon = s.IndexOf(':', StringComparison.Ordinal);
        if (s.Length == 0 || space < 0 || (colon >= 0 && colon < space))
        {
            throw new ArgumentException($"Not a candidate line: \"{line}\".", nameof(line));
        }

        return s;
    }
}
