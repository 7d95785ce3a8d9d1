using Switchboard.Media.Relay;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.WebRtc;

public sealed partial class WebRtcSession
{
    private volatile IRtpSink? _relayTo;
    private long _relayedIn;

    /// <summary>Where the browser's audio and telephone events go in <see cref="LegAudioMode.Relay"/> (after SRTP unprotect).</summary>
    public IRtpSink? RelayTo
    {
        get => _relayTo;
        set => _relayTo = value;
    }

    /// <summary>Plain RTP packets the other leg handed us to send to the browser.</summary>
    public long RelayedPacketsIn => Interlocked.Read(ref _relayedIn);

    /// <summary>
    /// Sends a packet from the other leg to the browser as our own stream (<see cref="RtpStreamRewriter"/>: our
    /// SSRC, sequence and timestamp line), the browser's payload type for <paramref name="kind"/>, SRTP-protected,
    /// to the selected pair, at <paramref name="now"/> (the shard's clock, which the other leg read). Dropped silently before SRTP is up, when the packet is not RTP, or when it is a
    /// telephone event and the browser negotiated none. Not thread-safe: the owner serializes it with
    /// <see cref="HandleDatagram"/> and <see cref="Poll"/> (<see cref="WebRtcLeg"/> does, with one lock).
    /// When this is the first packet to the browser, <see cref="WebRtcLegEventKind.FirstSrtpSent"/> is
    /// raised here, on the caller's thread: event handlers post on and return, so that is safe.
    /// </summary>
    public void SendRelayedRtp(Span<byte> rtp, RelayedPayload kind, TimeSpan now)
    {
        _now = now;
        if (_srtp is null || !_hasMediaPeer || Ended || !RelayedRtp.TryMapPayloadType(rtp, kind, Audio) ||
            RtpHeader.TryParse(rtp, out var header) != RtpParseStatus.Ok)
        {
            _dropped++;
            return;
        }

        _relayedIn++;
        // Relayed packets get their own buffer: the send buffer may hold an RTCP report or an echo being protected.
        SendOwnRtp(rtp, header, _scratch.Relay);
    }

    /// <summary>In relay mode, hands a received, decrypted packet to the other leg, which may rewrite it in place.</summary>
    private void RelayIfRelaying(Span<byte> packet, RelayedPayload kind)
    {
        if (AudioMode == LegAudioMode.Relay && _relayTo is { } sink)
        {
            sink.OnRelayedRtp(packet, kind, _now);
        }
    }
}
