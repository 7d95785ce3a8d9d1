using Microsoft.Extensions.Logging;
using Switchboard.Media.Dtls;
using Switchboard.Media.Sdp;

namespace Switchboard.Media.WebRtc;

public sealed partial class WebRtcLeg
{
    /// <summary>Our SDP offer (a leg made by <see cref="TryCreateOffer"/>), for the INVITE to the browser softphone.</summary>
    public string OfferSdp => _session.OfferSdp;

    /// <summary>
    /// Offers WebRTC audio with <paramref name="codecs"/> (in order, plus telephone-event) on a port of
    /// the pool. Call <see cref="Start"/> at once: the browser may check before its answer reaches us.
    /// </summary>
    public static WebRtcLeg? TryCreateOffer(IReadOnlyList<SdpCodec> codecs, MediaPortPool ports, DtlsCertificate certificate,
        Shards.MediaShard shard, ILogger log, Action<WebRtcLegEvent> onEvent, out WebRtcLegError error) =>
        Open(codecs, ports, certificate, shard, log,
            (WebRtcSessionOptions options, WebRtcLeg leg, out WebRtcLegError sessionError) =>
            {
                sessionError = WebRtcLegError.None;
                return WebRtcSession.CreateOffer(options, leg, onEvent);
            },
            out error);

    /// <summary>
    /// The browser's answer. On the leg's own shard (the call's loop lives there) it is applied now, so
    /// <see cref="Audio"/> holds the answer's terms when this returns; from another thread it is checked here
    /// and handed to the shard atomically, which applies it at once (the hand-off wakes it), and
    /// <see cref="Audio"/> already reads the accepted terms. Posting from the shard itself left a window
    /// in which the call read <see cref="Audio"/> before the shard had applied it ("No answer applied
    /// yet", seen in CI). False with the reason when the answer is refused;
    /// <see cref="WebRtcLegError.AnswerSetupNotActive"/> for a=setup:passive.
    /// </summary>
    public bool ApplyAnswer(string answerSdp, out WebRtcLegError error) =>
        _shard.IsCurrent ? _session.ApplyAnswer(answerSdp, out error) : _session.PostAnswer(answerSdp, out error);
}
