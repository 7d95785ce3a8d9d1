namespace Switchboard.Media.WebRtc;

public sealed partial class WebRtcLeg
{
    /// <summary>
    /// The browser's ICE-restart offer (see <see cref="WebRtcSession.TryRestartIce"/>), on the leg's own
    /// shard, where the call's loop runs: the session changes credentials between two datagrams, with no
    /// lock. The leg is then polled, since the agent's deadlines may have moved.
    /// </summary>
    public bool TryRestartIce(string offerSdp, out string answerSdp, out WebRtcLegError error)
    {
        if (!_shard.IsCurrent)
        {
            throw new InvalidOperationException("An ICE restart is applied on the leg's own shard.");
        }

        if (!_session.TryRestartIce(offerSdp, out answerSdp, out error))
        {
            return false;
        }

        Wake();
        return true;
    }
}
