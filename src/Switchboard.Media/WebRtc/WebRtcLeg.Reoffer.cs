using Switchboard.Media.Sdp;

namespace Switchboard.Media.WebRtc;

public sealed partial class WebRtcLeg
{
    /// <summary>
    /// A browser's re-offer that changes only the direction (see <see cref="WebRtcSession.TryAnswerReoffer"/>), on the
    /// leg's own shard, where the call's loop runs.
    /// </summary>
    public bool TryAnswerReoffer(string offerSdp, out string answerSdp, out SdpDirection offered, out WebRtcLegError error)
    {
        if (!_shard.IsCurrent)
        {
            throw new InvalidOperationException("A re-offer is answered on the leg's own shard.");
        }

        return _session.TryAnswerReoffer(offerSdp, out answerSdp, out offered, out error);
    }
}
