using Switchboard.Media.Playback;

namespace Switchboard.Media.WebRtc;

public sealed partial class WebRtcLeg
{
    /// <summary>True while a prompt plays (read on the shard to be exact).</summary>
    public bool IsPlaying => _session.IsPlaying;

    /// <summary>
    /// Plays <paramref name="prompt"/> to the browser from the shard (see <see cref="WebRtcSession.Play"/>):
    /// false unless G.711 was negotiated. Raises <see cref="WebRtcLegEventKind.PromptFinished"/> after its
    /// last frame. From another thread the prompt starts on the shard's next turn.
    /// </summary>
    public bool Play(Prompt prompt, bool loop = false)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (!_session.CanPlay)
        {
            return false;
        }

        _shard.Run(() =>
        {
            if (!_closed && _session.Play(prompt, _shard.Now, loop) && _slot is { } slot)
            {
                _shard.RequestPoll(slot);
            }
        });
        return true;
    }

    /// <summary>Stops a playing prompt (barge-in). Any thread.</summary>
    public void StopPlayback() => _shard.Run(() => _session.StopPlayback());
}
