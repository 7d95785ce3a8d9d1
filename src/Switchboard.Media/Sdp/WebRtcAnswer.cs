using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Media.Sdp;

/// <summary>Our side of a WebRTC answer. Everything that is not negotiation is an input.</summary>
public sealed record WebRtcAnswerOptions : WebRtcLocalOptions
{
    public WebRtcAnswerOptions()
    {
    }

    /// <summary>Our description as <paramref name="local"/> says, answering with <paramref name="codecPreferences"/>.</summary>
    [SetsRequiredMembers]
    public WebRtcAnswerOptions(WebRtcLocalOptions local, IReadOnlyList<SdpCodec> codecPreferences)
        : base(local)
    {
        CodecPreferences = codecPreferences;
    }

    /// <summary>
    /// Codecs we accept, most wanted first; the first one the offer also has is chosen. The caller
    /// encodes the policy: [PCMU, PCMA] when the other leg is G.711, [opus, PCMU, PCMA] when both
    /// legs can do Opus.
    /// </summary>
    public required IReadOnlyList<SdpCodec> CodecPreferences { get; init; }

    public bool IncludeTelephoneEvent { get; init; } = true;
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
        SdpMediaDescription answerAudio = BuildAudio(audio, options, codec!, telephoneEvent, direction);

        foreach (SdpMediaDescription m in offer.Media)
        {
            session.Media.Add(ReferenceEquals(m, audio) ? answerAudio : SdpBuild.Rejected(m, new SdpConnection("IN", "IP4", "0.0.0.0")));
        }

        answer = new SdpAnswer(session, WebRtcSdpSection.Negotiated(offer, audio, codec!, telephoneEvent, direction));
        return true;
    }

    private static SdpMediaDescription BuildAudio(
        SdpMediaDescription offered,
        WebRtcAnswerOptions options,
        SdpPayloadFormat codec,
        SdpPayloadFormat? telephoneEvent,
        SdpDirection direction)
    {
        SdpMediaDescription m = WebRtcSdpSection.CreateAudio(options, offered.Protocol, SdpSetup.Passive, offered.Mid, direction);
        m.RtcpRsize = offered.RtcpRsize;
        SdpFormats.AddFormat(m, codec);
        if (telephoneEvent is not null)
        {
            SdpFormats.AddFormat(m, telephoneEvent);
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
        ArgumentNullException.ThrowIfNull(preferences);
        codec = null;
        offered = null;

        // RFC 8842 section 5.3: the offerer must be actpass (or active); we answer passive and act as DTLS server.
        SdpOfferError error = WebRtcSdpSection.FindAudio(offer, static setup => setup is SdpSetup.ActPass or SdpSetup.Active, out audio);
        if (error != SdpOfferError.None)
        {
            return error;
        }

        offered = SdpFormats.GetFormats(audio!);
        codec = SdpBuild.ChooseCodec(offered, preferences, ourOrder: true);
        return codec is null ? SdpOfferError.NoSharedCodec : SdpOfferError.None;
    }
}
