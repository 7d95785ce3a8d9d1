using Switchboard.Media.Playback;

namespace Switchboard.Media.WebRtc;

public sealed partial class WebRtcLeg
{
    /// <summary>True while a prompt plays.</summary>
    public bool IsPlaying
    {
        get
        {
            lock (_sessionGate)
            {
                return _session.IsPlaying;
            }
        }
    }

    /// <summary>
    /// Plays <paramref name="prompt"/> to the browser from the leg's loop (see
    /// <see cref="WebRtcSession.Play"/>): false unless G.711 was negotiated. Raises
    /// <see cref="WebRtcLegEventKind.PromptFinished"/> after its last frame. Thread-safe.
    /// </summary>
    public bool Play(Prompt prompt, bool loop = false)
    {
        bool started;
        lock (_sessionGate)
        {
            started = !_closed && _session.Play(prompt, Now, loop);
        }

        Wake();
        return started;
    }

    /// <summary>Stops a playing prompt (barge-in). Thread-safe.</summary>
    public void StopPlayback()
    {
        lock (_sessionGate)
        {
            _session.StopPlayback();
        }
    }
}
