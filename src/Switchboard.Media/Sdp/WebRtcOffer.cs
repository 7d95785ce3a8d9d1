using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Media.Sdp;

/// <summary>Our side of a WebRTC offer, to a browser softphone reached over SIP-over-WebSocket.</summary>
public sealed record WebRtcOfferOptions : WebRtcLocalOptions
{
    public WebRtcOfferOptions()
    {
    }

    /// <summary>Our description as <paramref name="local"/> says, offering <paramref name="formats"/>.</summary>
    [SetsRequiredMembers]
    public WebRtcOfferOptions(WebRtcLocalOptions local, IReadOnlyList<SdpPayloadFormat> formats)
        : base(local)
    {
        Formats = formats;
    }

    /// <summary>Offered formats, most wanted first, telephone-event included (see <see cref="WebRtcOffer.FormatsFor"/>).</summary>
    public IReadOnlyList<SdpPayloadFormat> Formats { get; init; } = SipSdp.DefaultFormats;

    /// <summary>The stream id of a=msid-semantic (the first word of <see cref="WebRtcLocalOptions.Msid"/> when null).</summary>
    public string? MediaStreamId { get; init; }
}

/// <summary>
/// Our WebRTC offer (RFC 8829 JSEP section 5.2, RFC 8839 ICE SDP, RFC 8843 BUNDLE, RFC 5763 and
/// RFC 8842 DTLS setup) and the reading of the browser's answer. Pure functions. We stay ICE-lite
/// and the DTLS server: the offer says <c>a=setup:actpass</c> as RFC 5763 section 5 requires of an
/// offerer, and an answer that does not take the active (client) role is refused.
/// </summary>
public static class WebRtcOffer
{
    /// <summary>The mid of our one audio section.</summary>
    public const string AudioMid = "0";

    /// <summary>Dynamic payload types that browsers use themselves, so their answers keep them.</summary>
    private const int TelephoneEvent8000Pt = 101;
    private const int TelephoneEvent48000Pt = 110;
    private const int OpusPt = 111;
    private const int FirstDynamicPt = 96;

    /// <summary>
    /// One audio section: <c>m=audio &lt;port&gt; UDP/TLS/RTP/SAVPF &lt;formats&gt;</c>, c=, session-level
    /// a=ice-lite, a=group:BUNDLE 0 and a=msid-semantic, then ufrag, pwd, fingerprint, a=setup:actpass,
    /// a=mid:0, direction, a=rtcp-mux, rtpmap/fmtp, a=msid, a=ssrc cname, candidates, end-of-candidates.
    /// </summary>
    public static SdpSessionDescription Create(WebRtcOfferOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var session = new SdpSessionDescription(SdpBuild.Origin("-", options.SessionId, options.SessionVersion, options.Address))
        {
            IceLite = true,
        };

        // RFC 8829 section 5.2.1: a=group:BUNDLE with every mid; a=msid-semantic names the stream (RFC 8830).
        session.Groups.Add(new SdpGroup("BUNDLE", [AudioMid]));
        if ((options.MediaStreamId ?? options.Msid?.Split(' ')[0]) is { Length: > 0 } stream)
        {
            session.OtherAttributes.Add(new SdpAttributeLine("msid-semantic", " WMS " + stream));
        }

        SdpMediaDescription audio = WebRtcSdpSection.CreateAudio(options, "UDP/TLS/RTP/SAVPF", SdpSetup.ActPass, AudioMid, options.Direction);
        foreach (SdpPayloadFormat format in options.Formats)
        {
            SdpFormats.AddFormat(audio, format);
        }

        session.Media.Add(audio);
        return session;
    }

    /// <summary>
    /// Payload types for <paramref name="codecs"/> in their order: the RFC 3551 static ones (PCMU 0,
    /// PCMA 8, G722 9), opus 111, others from 96; then telephone-event for each clock rate offered
    /// (101 at 8000, 110 at 48000) with events 0-16 (RFC 4733 section 7).
    /// </summary>
    public static IReadOnlyList<SdpPayloadFormat> FormatsFor(IReadOnlyList<SdpCodec> codecs)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        var formats = new List<SdpPayloadFormat>(codecs.Count + 2);
        var used = new HashSet<int> { TelephoneEvent8000Pt, TelephoneEvent48000Pt };
        var clockRates = new List<int>();
        int nextDynamic = FirstDynamicPt;
        foreach (SdpCodec codec in codecs)
        {
            if (codec.IsTelephoneEvent)
            {
                continue;
            }

            int pt = StaticPayloadType(codec) ?? (codec == SdpCodec.Opus && used.Add(OpusPt) ? OpusPt : -1);
            while (pt < 0)
            {
                pt = used.Add(nextDynamic) ? nextDynamic : -1;
                nextDynamic++;
            }

            used.Add(pt);
            formats.Add(new SdpPayloadFormat(pt, codec, codec == SdpCodec.Opus ? "minptime=10;useinbandfec=1" : null));
            if (!clockRates.Contains(codec.ClockRate))
            {
                clockRates.Add(codec.ClockRate);
            }
        }

        foreach (int rate in clockRates)
        {
            if (rate == 8000)
            {
                formats.Add(new SdpPayloadFormat(TelephoneEvent8000Pt, SdpCodec.TelephoneEvent8000, "0-16"));
            }
            else if (rate == 48000)
            {
                formats.Add(new SdpPayloadFormat(TelephoneEvent48000Pt, SdpCodec.TelephoneEvent48000, "0-16"));
            }
        }

        return formats;
    }

    /// <summary>
    /// Reads the browser's answer to our offer: its ICE credentials and fingerprints, a=setup that
    /// must be <c>active</c> (we are only ever the DTLS server: <see cref="SdpOfferError.UnsupportedSetup"/>
    /// otherwise), rtcp-mux, the codec (the answer's first voice payload type that we offered, RFC 3264
    /// section 6.1: the answerer keeps our payload types) and telephone-event at its clock rate.
    /// </summary>
    public static bool TryReadAnswer(
        SdpSessionDescription answer,
        IReadOnlyList<SdpPayloadFormat> offered,
        [NotNullWhen(true)] out SdpNegotiatedAudio? audio,
        out SdpOfferError error)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(offered);
        audio = null;

        // RFC 8842 section 5.2 / RFC 5763 section 5: to our actpass the answerer says active or passive; we take only active.
        error = WebRtcSdpSection.FindAudio(answer, static setup => setup == SdpSetup.Active, out SdpMediaDescription? section);
        if (error != SdpOfferError.None)
        {
            return false;
        }

        List<SdpPayloadFormat> accepted = SdpFormats.GetFormats(section!).Where(f => IsOffered(f, offered)).ToList();
        SdpPayloadFormat? codec = accepted.FirstOrDefault(f => !f.Codec.IsTelephoneEvent);
        if (codec is null)
        {
            error = SdpOfferError.NoSharedCodec;
            return false;
        }

        // The answer's direction is the browser's: it sends what we receive (RFC 3264 section 6.1).
        SdpDirection theirs = answer.DirectionOf(section!);
        SdpDirection ours = SdpDirections.From(sends: theirs.Receives(), receives: theirs.Sends());
        audio = WebRtcSdpSection.Negotiated(answer, section!, codec, SdpFormats.FindTelephoneEvent(accepted, codec.Codec.ClockRate), ours);
        return true;
    }

    private static bool IsOffered(SdpPayloadFormat answered, IReadOnlyList<SdpPayloadFormat> offered)
    {
        foreach (SdpPayloadFormat f in offered)
        {
            if (f.PayloadType == answered.PayloadType && f.Codec.Name.Equals(answered.Codec.Name, StringComparison.OrdinalIgnoreCase) &&
                f.Codec.ClockRate == answered.Codec.ClockRate)
            {
                return true;
            }
        }

        return false;
    }

    private static int? StaticPayloadType(SdpCodec codec) =>
        codec == SdpCodec.Pcmu ? 0 : codec == SdpCodec.Pcma ? 8 : codec == SdpCodec.G722 ? 9 : null;
}
