using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Switchboard.Media.Sdp;

/// <summary>Our side of a plain RTP/AVP offer to a SIP phone or trunk.</summary>
public sealed record SipOfferOptions
{
    public required IPAddress Address { get; init; }

    public required int Port { get; init; }

    public ulong SessionId { get; init; }

    /// <summary>Increment for every new offer in the same session, e.g. the hold re-INVITE (RFC 3264 section 8).</summary>
    public ulong SessionVersion { get; init; } = 1;

    /// <summary>sendrecv normally; sendonly to hold (RFC 3264 section 8.4), inactive when both are held.</summary>
    public SdpDirection Direction { get; init; } = SdpDirection.SendRecv;

    /// <summary>Offered formats, most wanted first.</summary>
    public IReadOnlyList<SdpPayloadFormat> Formats { get; init; } = SipSdp.DefaultFormats;

    public int? Ptime { get; init; } = 20;
}

/// <summary>Our side of an RTP/AVP answer to a SIP phone's offer.</summary>
public sealed record SipAnswerOptions
{
    public required IPAddress Address { get; init; }

    public required int Port { get; init; }

    public ulong SessionId { get; init; }

    public ulong SessionVersion { get; init; } = 1;

    /// <summary>Voice codecs we can take; the first of the offer's formats found here is chosen.</summary>
    public IReadOnlyList<SdpCodec> Codecs { get; init; } = [SdpCodec.Pcmu, SdpCodec.Pcma];

    public SdpDirection Direction { get; init; } = SdpDirection.SendRecv;

    public bool IncludeTelephoneEvent { get; init; } = true;

    public int? Ptime { get; init; } = 20;
}

/// <summary>How a description puts the call on hold (RFC 3264 section 8.4, RFC 6337 section 5.3).</summary>
public enum SdpHoldState
{
    NotHeld,
    /// <summary>a=sendonly: the holder may play music on hold.</summary>
    SendOnly,
    /// <summary>a=inactive: no media either way.</summary>
    Inactive,
    /// <summary>c=0.0.0.0, the RFC 2543 way, still sent by some old phones.</summary>
    ZeroAddress,
}

/// <summary>
/// RFC 3264 offer/answer with SIP user agents: plain RTP/AVP, G.711 and telephone-event/8000,
/// and hold detection. Pure functions.
/// </summary>
public static class SipSdp
{
    /// <summary>PCMU (0), PCMA (8), telephone-event/8000 on 101 with events 0-16.</summary>
    public static IReadOnlyList<SdpPayloadFormat> DefaultFormats { get; } =
    [
        new(0, SdpCodec.Pcmu),
        new(8, SdpCodec.Pcma),
        new(101, SdpCodec.TelephoneEvent8000, "0-16"),
    ];

    public static SdpSessionDescription CreateOffer(SipOfferOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var session = new SdpSessionDescription(SdpBuild.Origin("-", options.SessionId, options.SessionVersion, options.Address))
        {
            Connection = SdpBuild.Connection(options.Address),
        };
        var audio = new SdpMediaDescription("audio", options.Port, "RTP/AVP")
        {
            Direction = options.Direction,
            Ptime = options.Ptime,
        };
        foreach (SdpPayloadFormat format in options.Formats)
        {
            SdpFormats.AddFormat(audio, format);
        }

        session.Media.Add(audio);
        return session;
    }

    /// <summary>
    /// Answers a phone's offer: the first offered voice codec we support (the offerer's order,
    /// RFC 3264 section 6.1), telephone-event/8000 if offered, the direction that matches the offer's,
    /// a=rtcp-mux if offered, every other section rejected with port 0. Without rtcp-mux the phone
    /// sends RTCP to our port + 1 (RFC 3550 section 11).
    /// </summary>
    public static bool TryCreateAnswer(
        SdpSessionDescription offer,
        SipAnswerOptions options,
        [NotNullWhen(true)] out SdpAnswer? answer,
        out SdpOfferError error)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(options);
        answer = null;
        SdpMediaDescription? audio = null;
        foreach (SdpMediaDescription m in offer.Media)
        {
            if (m.Media == "audio" && m.Port != 0)
            {
                audio = m;
                break;
            }
        }

        if (audio is null)
        {
            error = SdpOfferError.NoAudioSection;
            return false;
        }

        if (audio.Protocol is not ("RTP/AVP" or "RTP/AVPF"))
        {
            error = SdpOfferError.UnsupportedProtocol;
            return false;
        }

        List<SdpPayloadFormat> offered = SdpFormats.GetFormats(audio);
        SdpPayloadFormat? codec = SdpBuild.ChooseCodec(offered, options.Codecs, ourOrder: false);
        if (codec is null)
        {
            error = SdpOfferError.NoSharedCodec;
            return false;
        }

        SdpPayloadFormat? telephoneEvent = options.IncludeTelephoneEvent ? SdpFormats.FindTelephoneEvent(offered, codec.Codec.ClockRate) : null;

        // A legacy c=0.0.0.0 hold means the offerer does not want to receive: answer as to sendonly.
        SdpDirection offeredDirection = GetHoldState(offer, audio) == SdpHoldState.ZeroAddress
            ? SdpDirection.SendOnly
            : offer.DirectionOf(audio);
        SdpDirection direction = SdpDirections.Answer(offeredDirection, options.Direction);

        var session = new SdpSessionDescription(SdpBuild.Origin("-", options.SessionId, options.SessionVersion, options.Address))
        {
            Connection = SdpBuild.Connection(options.Address),
        };
        var answerAudio = new SdpMediaDescription("audio", options.Port, audio.Protocol)
        {
            Mid = audio.Mid,
            Direction = direction,
            Ptime = options.Ptime,

            // RFC 5761 section 5.1.1: accept RTP/RTCP on one port when the phone offers it.
            RtcpMux = audio.RtcpMux,
        };
        SdpFormats.AddFormat(answerAudio, codec);
        if (telephoneEvent is not null)
        {
            SdpFormats.AddFormat(answerAudio, telephoneEvent);
        }

        foreach (SdpMediaDescription m in offer.Media)
        {
            session.Media.Add(ReferenceEquals(m, audio) ? answerAudio : SdpBuild.Rejected(m));
        }

        answer = new SdpAnswer(
            session,
            new SdpNegotiatedAudio(audio.Mid, codec, telephoneEvent, direction, offer.ConnectionOf(audio), audio.Port, null, null, [], audio.Ptime)
            {
                RtcpMux = audio.RtcpMux,
                RemoteRtcpPort = SdpNegotiatedAudio.ParseRtcpPort(audio.Rtcp),
            });
        error = SdpOfferError.None;
        return true;
    }

    /// <summary>Whether the first active audio section of a description puts us on hold.</summary>
    public static SdpHoldState GetHoldState(SdpSessionDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        foreach (SdpMediaDescription m in description.Media)
        {
            if (m.Media == "audio" && m.Port != 0)
            {
                return GetHoldState(description, m);
            }
        }

        return SdpHoldState.NotHeld;
    }

    /// <summary>Hold per RFC 6337 section 5.3: sendonly or inactive; or the legacy c=0.0.0.0 on a non-ICE section.</summary>
    public static SdpHoldState GetHoldState(SdpSessionDescription description, SdpMediaDescription media)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(media);
        SdpDirection direction = description.DirectionOf(media);
        if (direction == SdpDirection.Inactive)
        {
            return SdpHoldState.Inactive;
        }

        if (direction == SdpDirection.SendOnly)
        {
            return SdpHoldState.SendOnly;
        }

        // ICE sections (WebRTC) always carry c=IN IP4 0.0.0.0 with port 9: not a hold there (RFC 8839 section 5.1).
        if (description.IceUfragOf(media) is null
            && description.ConnectionOf(media) is { } c
            && (c.Address == "0.0.0.0" || c.Address == "::"))
        {
            return SdpHoldState.ZeroAddress;
        }

        return SdpHoldState.NotHeld;
    }
}
