using Microsoft.Extensions.Logging;
using Switchboard.Media.Ice;
using Switchboard.Media.Sdp;

namespace Switchboard.Media.WebRtc;

/// <summary>
/// The browser's new offer during a call, taken only as an ICE restart (RFC 8445 section 9): its network
/// changed, so it gathers anew and checks with fresh credentials. Our answer has new ICE credentials and
/// the same fingerprint, setup role, codec, SSRC and SDP session (version + 1, RFC 3264 section 8), so
/// the DTLS association and the SRTP keys go on: no new handshake (RFC 8842 section 5.5). Media keeps
/// flowing to the old pair until the browser nominates a new one, then moves there.
/// </summary>
public sealed partial class WebRtcSession
{
    private WebRtcLocalOptions? _answeredWith;

    /// <summary>
    /// Owner only. Answers an ICE-restart offer (<paramref name="answerSdp"/>) and switches the agent to the
    /// new credentials. False with the reason, and nothing changed, when the offer is unreadable, is not an
    /// ICE restart (RFC 8839 section 4.4.1.1.1: both ice-ufrag and ice-pwd change), changes the fingerprint,
    /// or drops the codec in use.
    /// </summary>
    public bool TryRestartIce(string offerSdp, out string answerSdp, out WebRtcLegError error)
    {
        answerSdp = "";
        if (IsOfferer || _audio is not { } current || _answeredWith is not { } answeredWith)
        {
            error = WebRtcLegError.RestartNotSupported;
            return false;
        }

        if (!SdpParser.TryParse(offerSdp, out var offer, out _))
        {
            error = WebRtcLegError.UnreadableOffer;
            return false;
        }

        var credentials = IceCredentials.Generate();
        var local = answeredWith with
        {
            IceUfrag = credentials.Ufrag,
            IcePwd = credentials.Password,
            SessionVersion = answeredWith.SessionVersion + 1,
        };
        if (!WebRtcAnswer.TryCreate(offer, new WebRtcAnswerOptions(local, [current.Codec.Codec]), out var answer, out var sdpError))
        {
            error = sdpError == SdpOfferError.NoSharedCodec ? WebRtcLegError.CodecChanged : WebRtcLegError.UnusableOffer;
            return false;
        }

        error = CheckRestart(current, answer.Audio, out var remote);
        if (error != WebRtcLegError.None)
        {
            LogRestartRefused(_log, error);
            return false;
        }

        _ice.Restart(credentials, remote!, _now);
        _answeredWith = local;
        _audio = answer.Audio;
        LocalSdp = answerSdp = answer.ToText();
        LogIceRestarted(_log, _ice.Restarts);
        return true;
    }

    /// <summary>What the restart offer may and must change against the terms in force.</summary>
    private static WebRtcLegError CheckRestart(SdpNegotiatedAudio current, SdpNegotiatedAudio offered, out IceCredentials? remote)
    {
        remote = null;
        if (!IceCredentials.TryCreate(offered.RemoteIceUfrag, offered.RemoteIcePwd, out var credentials))
        {
            return WebRtcLegError.UnusableOffer;
        }

        if (offered.RemoteIceUfrag == current.RemoteIceUfrag || offered.RemoteIcePwd == current.RemoteIcePwd)
        {
            return WebRtcLegError.NotAnIceRestart;
        }

        if (!SameFingerprints(current.RemoteFingerprints, offered.RemoteFingerprints))
        {
            return WebRtcLegError.FingerprintChanged;
        }

        if (offered.Codec.PayloadType != current.Codec.PayloadType || offered.TelephoneEvent?.PayloadType != current.TelephoneEvent?.PayloadType)
        {
            return WebRtcLegError.CodecChanged;
        }

        remote = credentials;
        return WebRtcLegError.None;
    }

    /// <summary>The same certificate hashes, in any order; hex digits compare without case (RFC 8122 section 5).</summary>
    private static bool SameFingerprints(IReadOnlyList<SdpFingerprint> a, IReadOnlyList<SdpFingerprint> b) =>
        a.Count == b.Count && a.All(x => b.Any(y =>
            string.Equals(x.HashFunction, y.HashFunction, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(x.Value, y.Value, StringComparison.OrdinalIgnoreCase)));

    [LoggerMessage(EventId = 4007, Level = LogLevel.Debug, Message = "WebRTC session: ICE restart {Count} answered")]
    private static partial void LogIceRestarted(ILogger logger, int count);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Debug, Message = "WebRTC session: re-offer refused ({Reason})")]
    private static partial void LogRestartRefused(ILogger logger, WebRtcLegError reason);
}
