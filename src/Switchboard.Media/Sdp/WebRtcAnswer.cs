using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Switchboard.Media.Sdp;

/// <summary>Our side of a WebRTC answer. Everything that is not negotiation is an input.</summary>
public sealed record WebRtcAnswerOptions
{
    /// <summary>Our ICE username fragment (RFC 8839 section 5.4: at least 4 characters).</summary>
    public required string IceUfrag { get; init; }

    /// <summary>Our ICE password (at least 22 characters).</summary>
    public required string IcePwd { get; init; }

    /// <summary>Our certificate fingerprint as "hash value", e.g. "sha-256 AB:CD:...".</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The address advertised in c= and o= (the public address when behind NAT).</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The media port advertised in m=.</summary>
    public required int Port { get; init; }

    /// <summary>
    /// Our candidate lines, with or without the "a=" and "candidate:" prefixes (as the ICE agent's
    /// <c>IceSdp.CandidateLine</c> writes them); "a=end-of-candidates" is accepted and skipped.
    /// </summary>
    public required IReadOnlyList<string> CandidateLines { get; init; }

    /// <summary>
    /// Codecs we accept, most wanted first; the first one the offer also has is chosen. The caller
    /// encodes the policy: [PCMU, PCMA] when the other leg is G.711, [opus, PCMU, PCMA] when both
    /// legs can do Opus.
    /// </summary>
    public required IReadOnlyList<SdpCodec> CodecPreferences { get; init; }

    public ulong SessionId { get; init; }

    /// <summary>Incremented by the caller for each new description in the same session (RFC 3264 section 8).</summary>
    public ulong SessionVersion { get; init; } = 1;

    /// <summary>What we want; the answer also respects the offer's direction.</summary>
    public SdpDirection Direction { get; init; } = SdpDirection.SendRecv;

    public bool IncludeTelephoneEvent { get; init; } = true;

    /// <summary>Our sending SSRC and CNAME, written as a=ssrc lines when both are set.</summary>
    public uint? Ssrc { get; init; }

    public string? Cname { get; init; }

    /// <summary>
    /// "stream-id track-id" for a=msid (RFC 8830), so the browser's ontrack event carries a stream;
    /// null leaves it out.
    /// </summary>
    public string? Msid { get; init; }
}

/// <summary>
/// Validation of a browser's WebRTC offer and generation of our ICE-lite answer (RFC 8829 JSEP,
/// RFC 8839 ICE SDP, RFC 8843 BUNDLE, RFC 8842 DTLS setup, RFC 5761 rtcp-mux). Pure functions.
/// </summary>
public static class WebRtcAnswer
{
    /// <summary>Checks the offer without building an answer.</summary>
    public static SdpOfferError Validate(SdpSessionDescription offer, IReadOnlyList<SdpCodec> codecPreferences) =>
        Select(offer, codecPreferences, out _, out _, out _);

    /// <summary>
    /// Builds the answer: one audio section with one codec plus telephone-event (offer's payload
    /// types), every other section rejected with port 0, BUNDLE on the audio mid, a=ice-lite,
    /// a=setup:passive, our credentials, fingerprint and candidates, rtcp-mux.
    /// </summary>
    public static bool TryCreate(
        SdpSessionDescription offer,
        WebRtcAnswerOptions options,
        [NotNullWhen(true)] out SdpAnswer? answer,
        out SdpOfferError error)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(options);
        answer = null;
        error = Select(offer, options.CodecPreferences, out SdpMediaDescription? audio, out SdpPayloadFormat? codec, out List<SdpPayloadFormat>? offered);
        if (error != SdpOfferError.None)
        {
            return false;
        }

        SdpFingerprint fingerprint = ParseFingerprint(options.Fingerprint);
        var session = new SdpSessionDescription(SdpBuild.Origin("-", options.SessionId, options.SessionVersion, options.Address))
        {
            IceLite = true,
        };

        if (audio!.Mid is { } mid && offer.BundleMids.Contains(mid))
        {
            session.Groups.Add(new SdpGroup("BUNDLE", [mid]));
        }

        SdpPayloadFormat? telephoneEvent = options.IncludeTelephoneEvent ? SdpFormats.FindTelephoneEvent(offered!, codec!.Codec.ClockRate) : null;
        SdpDirection direction = SdpDirections.Answer(offer.DirectionOf(audio), options.Direction);
        SdpMediaDescription answerAudio = BuildAudio(audio, options, fingerprint, codec!, telephoneEvent, direction);

        foreach (SdpMediaDescription m in offer.Media)
        {
            session.Media.Add(ReferenceEquals(m, audio) ? answerAudio : SdpBuild.Rejected(m, new SdpConnection("IN", "IP4", "0.0.0.0")));
        }

        answer = new SdpAnswer(
            session,
            new SdpNegotiatedAudio(
                audio.Mid,
                codec!,
                telephoneEvent,
                direction,
                offer.ConnectionOf(audio),
                audio.Port,
                offer.IceUfragOf(audio),
                offer.IcePwdOf(audio),
                offer.FingerprintsOf(audio),
                audio.Ptime));
        return true;
    }

    private static SdpMediaDescription BuildAudio(
        SdpMediaDescription offered,
        WebRtcAnswerOptions options,
        SdpFingerprint fingerprint,
        SdpPayloadFormat codec,
        SdpPayloadFormat? telephoneEvent,
        SdpDirection direction)
    {
        var m = new SdpMediaDescription("audio", options.Port, offered.Protocol)
        {
            Connection = SdpBuild.Connection(options.Address),
            IceUfrag = options.IceUfrag,
            IcePwd = options.IcePwd,
            Setup = SdpSetup.Passive,
            Mid = offered.Mid,
            Direction = direction,
            RtcpMux = true,
            RtcpRsize = offered.RtcpRsize,
            EndOfCandidates = true,
        };
        m.Fingerprints.Add(fingerprint);
        SdpFormats.AddFormat(m, codec);
        if (telephoneEvent is not null)
        {
            SdpFormats.AddFormat(m, telephoneEvent);
        }

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

    private static SdpOfferError Select(
        SdpSessionDescription offer,
        IReadOnlyList<SdpCodec> preferences,
        out SdpMediaDescription? audio,
        out SdpPayloadFormat? codec,
        out List<SdpPayloadFormat>? offered)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(preferences);
        audio = null;
        codec = null;
        offered = null;
        foreach (SdpMediaDescription m in offer.Media)
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

        if (offer.FingerprintsOf(audio).Count == 0)
        {
            return SdpOfferError.NoFingerprint;
        }

        if (string.IsNullOrEmpty(offer.IceUfragOf(audio)) || string.IsNullOrEmpty(offer.IcePwdOf(audio)))
        {
            return SdpOfferError.NoIceCredentials;
        }

        // RFC 8842 section 5.3: the offerer must be actpass (or active); we answer passive and act as DTLS server.
        if (offer.SetupOf(audio) is not (SdpSetup.ActPass or SdpSetup.Active))
        {
            return SdpOfferError.UnsupportedSetup;
        }

        if (!audio.RtcpMux)
        {
            return SdpOfferError.NoRtcpMux;
        }

        offered = SdpFormats.GetFormats(audio);
        codec = SdpBuild.ChooseCodec(offered, preferences, ourOrder: true);
        return codec is null ? SdpOfferError.NoSharedCodec : SdpOfferError.None;
    }

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
