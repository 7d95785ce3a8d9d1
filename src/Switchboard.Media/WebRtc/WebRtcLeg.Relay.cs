using System.Diagnostics;
using Switchboard.Media.Relay;

namespace Switchboard.Media.WebRtc;

/// <summary>
/// The WebRTC leg as a relay endpoint. Both legs of a call live on one shard, so the other leg calls
/// <see cref="OnRelayedRtp"/> on this leg's own thread: protecting into the SRTP context needs no lock,
/// and the browser's decrypted packets go straight to the other leg's sink as a function call.
/// </summary>
public sealed partial class WebRtcLeg : IRtpSink
{
    private IRtpSink? _relayTo;

    /// <summary>Where the browser's audio and telephone events go in <see cref="LegAudioMode.Relay"/>: a leg on the same shard. Set from any thread (applied on the shard).</summary>
    public IRtpSink? RelayTo
    {
        get => _relayTo;
        set => _shard.Run(() =>
        {
            _relayTo = value;
            _session.RelayTo = value;
        });
    }

    /// <summary>Protects a packet from the other leg as our own stream and sends it to the browser (see <see cref="WebRtcSession.SendRelayedRtp"/>).</summary>
    public void OnRelayedRtp(Span<byte> rtp, RelayedPayload kind, TimeSpan now)
    {
        Debug.Assert(_shard.IsCurrent, "Both legs of a call must live on one shard.");
        if (!_closed)
        {
            _session.SendRelayedRtp(rtp, kind, now);
        }
    }
}
