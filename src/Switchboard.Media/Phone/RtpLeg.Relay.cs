using Switchboard.Media.Relay;

namespace Switchboard.Media.Phone;

public sealed partial class RtpLeg
{
    /// <summary>
    /// Runs on the other leg's thread. Lock-free by design: it reads one immutable snapshot of the
    /// remote (<see cref="RemoteTarget"/>), rewrites the payload type in place and sends; it touches
    /// none of the loop's state (counters are interlocked). The packet keeps the far leg's SSRC,
    /// sequence and timestamp: a transparent relay. Because this takes no lock, a WebRTC leg may call
    /// it while holding its own session lock without any lock-order cycle.
    /// </summary>
    public void OnRelayedRtp(Span<byte> rtp, RelayedPayload kind)
    {
        if (_remote is { SendTo: { } destination } remote && RelayedRtp.TryMapPayloadType(rtp, kind, remote.Audio))
        {
            SendToPhone(rtp, destination);
        }
        else
        {
            Interlocked.Increment(ref _packetsDropped);
        }
    }
}
