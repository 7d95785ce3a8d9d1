using Switchboard.Media.Relay;

namespace Switchboard.Media.WebRtc;

/// <summary>
/// The WebRTC leg as a relay endpoint. Threading: <see cref="OnRelayedRtp"/> runs on the other leg's
/// thread while this leg's loop runs <see cref="WebRtcSession.HandleDatagram"/> and
/// <see cref="WebRtcSession.Poll"/>, and all three use the SRTP context, the sequence counter and the
/// RTCP scheduler; so the three take <see cref="_sessionGate"/>. No lock is held while calling out:
/// in relay mode the session hands the decrypted packet to <see cref="PendingRelay"/>, which only
/// notes its length and kind, and the loop passes it to <see cref="RelayTo"/> after releasing the
/// lock. So this leg never waits for another leg's lock while holding its own: no lock-order cycle,
/// whether the far leg is an <c>RtpLeg</c> (lock-free) or another WebRTC leg.
/// </summary>
public sealed partial class WebRtcLeg : IRtpSink
{
    private readonly Lock _sessionGate = new();
    private readonly PendingRelay _pendingRelay = new();
    private volatile IRtpSink? _relayTo;
    private bool _closed;

    /// <summary>Where the browser's audio and telephone events go in <see cref="LegAudioMode.Relay"/>. May be changed from any thread.</summary>
    public IRtpSink? RelayTo
    {
        get => _relayTo;
        set
        {
            _relayTo = value;
            _session.RelayTo = value is null ? null : _pendingRelay;
        }
    }

    /// <summary>Protects a packet from the other leg as our own stream and sends it to the browser (see <see cref="WebRtcSession.SendRelayedRtp"/>).</summary>
    public void OnRelayedRtp(Span<byte> rtp, RelayedPayload kind)
    {
        lock (_sessionGate)
        {
            if (!_closed)
            {
                _session.SendRelayedRtp(rtp, kind);
            }
        }
    }

    /// <summary>Called by the loop after releasing <see cref="_sessionGate"/>: the packet is still in the receive buffer.</summary>
    private void ForwardPendingRelay()
    {
        if (_pendingRelay.TryTake(out var length, out var kind) && _relayTo is { } sink)
        {
            sink.OnRelayedRtp(_receiveBuffer.AsSpan(0, length), kind);
        }
    }

    /// <summary>Stops relayed sends before the session (and its SRTP keys) is disposed.</summary>
    private void CloseRelay()
    {
        lock (_sessionGate)
        {
            _closed = true;
        }
    }

    /// <summary>
    /// The session's sink inside the lock: notes the packet, which is always at the start of the
    /// receive buffer (the session decrypts in place), for <see cref="ForwardPendingRelay"/>.
    /// At most one packet per datagram. Used by the loop only.
    /// </summary>
    private sealed class PendingRelay : IRtpSink
    {
        private int _length;
        private RelayedPayload _kind;

        public void OnRelayedRtp(Span<byte> rtp, RelayedPayload kind)
        {
            _length = rtp.Length;
            _kind = kind;
        }

        public bool TryTake(out int length, out RelayedPayload kind)
        {
            length = _length;
            kind = _kind;
            _length = 0;
            return length > 0;
        }
    }
}
