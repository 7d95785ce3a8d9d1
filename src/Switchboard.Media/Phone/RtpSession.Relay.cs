using Switchboard.Media.Relay;

namespace Switchboard.Media.Phone;

public sealed partial class RtpSession : IRtpSink
{
    /// <summary>
    /// Runs on the shard's thread, called by the other leg of the call (both live on one shard): it reads
    /// the remote snapshot (<see cref="RemoteTarget"/>), rewrites the payload type in place and sends. The
    /// packet keeps the far leg's SSRC, sequence and timestamp: a transparent relay.
    /// </summary>
    public void OnRelayedRtp(Span<byte> rtp, RelayedPayload kind)
    {
        if (_remote is { SendTo: { } destination } remote && RelayedRtp.TryMapPayloadType(rtp, kind, remote.Audio))
        {
            SendToPhone(rtp, destination);
        }
        else
        {
            _packetsDropped++;
        }
    }
}
