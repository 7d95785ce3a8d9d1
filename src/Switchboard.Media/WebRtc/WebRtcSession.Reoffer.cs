using Microsoft.Extensions.Logging;
using Switchboard.Media.Ice;
using Switchboard.Media.Sdp;

namespace Switchboard.Media.WebRtc;

/// <summary>
/// A browser softphone's re-offer that keeps its session (a SIP re-INVITE from phone.htm): the same ICE credentials,
/// fingerprint and codec, only the direction may change, as for hold and resume (RFC 3264 section 8.4). The answer
/// repeats our terms (credentials, fingerprint, a=setup:passive, candidates, SSRC) with the session version raised
/// (RFC 3264 section 8) and the mirrored direction: ICE, DTLS and SRTP go on untouched (RFC 8842 section 5.5).
/// </summary>
public sealed partial class WebRtcSession
{
    /// <summary>Our terms when we made the offer (offerer mode); <see cref="_answeredWith"/> holds them for an answerer.</summary>
    private WebRtcLocalOptions? _offeredWith;

    /// <summary>
    /// Owner only. Answers a re-offer that changes at most the direction; <paramref name="offered"/> is the direction
    /// the browser asked for (sendonly or inactive: it holds). False with the reason, and nothing changed, when the
    /// offer is unreadable, restarts ICE (that is <see cref="TryRestartIce"/>'s), changes the fingerprint or drops the
    /// codec in use.
    /// </summary>
    public bool TryAnswerReoffer(string offerSdp, out string answerSdp, out SdpDirection offered, out WebRtcLegError error)
    {
        answerSdp = "";
        offered = SdpDirection.SendRecv;
        if (!IsNegotiated || (_answeredWith ?? _offeredWith) is not { } terms)
        {
            error = WebRtcLegError.RestartNotSupported;
            return false;
        }

        if (!SdpParser.TryParse(offerSdp, out var offer, out _))
        {
            error = WebRtcLegError.UnreadableOffer;
            return false;
        }

        var current = Audio;
        var local = terms with { SessionVersion = terms.SessionVersion + 1 };
        if (!WebRtcAnswer.TryCreate(offer, new WebRtcAnswerOptions(local, [current.Codec.Codec]), out var answer, out var sdpError))
        {
            error = sdpError == SdpOfferError.NoSharedCodec ? WebRtcLegError.CodecChanged : WebRtcLegError.UnusableOffer;
            return false;
        }

        error = CheckDirectionChange(current, answer.Audio);
        if (error != WebRtcLegError.None)
        {
            LogReofferRefused(_log, error);
            return false;
        }

        if (_answeredWith is not null)
        {
            _answeredWith = local;
        }
        else
        {
            _offeredWith = local;
        }

        // Our answer mirrors the offer (RFC 3264 section 6.1: sendonly -> recvonly), so the offer's direction reads back from it.
        var ours = answer.Audio.Direction;
        offered = SdpDirections.From(ours.Receives(), ours.Sends());
        answerSdp = answer.ToText();
        LogReofferAnswered(_log, offered);
        return true;
    }

    /// <summary>What a direction-only re-offer must keep against the terms in force.</summary>
    private static WebRtcLegError CheckDirectionChange(SdpNegotiatedAudio current, SdpNegotiatedAudio offered)
    {
        if (!IceCredentials.TryCreate(offered.RemoteIceUfrag, offered.RemoteIcePwd, out _))
        {
            return WebRtcLegError.UnusableOffer;
        }

        if (offered.RemoteIceUfrag != current.RemoteIceUfrag || offered.RemoteIcePwd != current.RemoteIcePwd)
        {
            return WebRtcLegError.NotADirectionChange;
        }

        if (!SameFingerprints(current.RemoteFingerprints, offered.RemoteFingerprints))
        {
            return WebRtcLegError.FingerprintChanged;
        }

        return offered.Codec.PayloadType != current.Codec.PayloadType ? WebRtcLegError.CodecChanged : WebRtcLegError.None;
    }

    [LoggerMessage(EventId = 4009, Level = LogLevel.Debug, Message = "WebRTC session: re-offer ({Direction}) answered")]
    private static partial void LogReofferAnswered(ILogger logger, SdpDirection direction);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Debug, Message = "WebRTC session: direction re-offer refused ({Reason})")]
    private static partial void LogReofferRefused(ILogger logger, WebRtcLegError reason);
}
