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
    /// The browser's answer, from the call's loop: checked here, then handed to the leg's loop
    /// atomically, which applies it at once (the hand-off wakes it). False with the reason when the
    /// answer is refused; <see cref="WebRtcLegError.AnswerSetupNotActive"/> for a=setup:passive.
    /// </summary>
    public bool ApplyAnswer(string answerSdp, out WebRtcLegError error) => _session.PostAnswer(answerSdp, out error);
}
