using Switchboard.Media.Relay;

namespace Switchboard.Media.Phone;

public sealed partial class RtpSession : IRtpSink
{
    /// <summary>
    /// Runs on the shard's thread, called by the other leg of the call (both live on one shard) at
    /// <paramref name="now"/>: it reads the remote snapshot (<see cref="RemoteTarget"/>), rewrites the payload
    /// type in place and sends the packet as our own stream (<see cref="SendToPhone"/>), so a phone sees one
    /// SSRC and one timestamp line whichever far leg is speaking.
    /// </summary>
    public void OnRelayedRtp(Span<byte> rtp, RelayedPayload kind, TimeSpan now)
    {
        _now = now;
        if (_remote is { SendTo: { } destination } remote && RelayedRtp.TryMapPayloadType(rtp, kind, remote.Audio))
        {
            SendToPhone(rtp, destination, now);
        }
        else
        {
            _packetsDropped++;
        }
    }
}
