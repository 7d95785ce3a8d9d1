using System.Net;
using Switchboard.Media.Demux;
using Switchboard.Media.Dtmf;
using Switchboard.Media.Relay;
using Switchboard.Media.Rtp;
using Switchboard.Media.Shards;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Phone;

public sealed partial class RtpSession
{
    private readonly DtmfDetector _dtmf = new();
    private long _packetsIn;
    private long _packetsOut;
    private long _packetsRelayed;
    private long _packetsDropped;
    private long _dtmfIn;
    private long _rtcpIn;
    private bool _mediaFlowed;
    private bool _timedOut;
    private TimeSpan _lastRtpAt;

    /// <summary>
    /// One datagram from <paramref name="source"/>: the whole receive path (tests
    /// can drive it and measure its allocations). The packet may be modified in place.
    /// </summary>
    public void HandleDatagram(Span<byte> datagram, SocketAddress source, TimeSpan now)
    {
        _now = now;
        var demuxed = MediaDemux.Classify(datagram);
        if (demuxed == DatagramKind.Rtcp)
        {
            OnRtcp(datagram, source, now);
            return;
        }

        RelayedPayload? kind = null;
        var parsed = RtpHeader.TryParse(datagram, out var header);
        if (demuxed == DatagramKind.Rtp && parsed == RtpParseStatus.Ok && _remote is { } current)
        {
            kind = RelayedRtp.Classify(header.PayloadType, current.Audio);
        }

        if (!AcceptFrom(source, kind is not null, out var remote) || kind is not { } payload || remote?.SendTo is not { } phone)
        {
            _packetsDropped++;
            return;
        }

        _packetsIn++;
        CountReceived(header, now);
        _lastRtpAt = now;
        _timedOut = false;
        if (!_mediaFlowed)
        {
            _mediaFlowed = true;
            Raise(new RtpLegEvent(RtpLegEventKind.FirstRtpReceived, Detail: "from " + remote.SendToEndPoint));
        }

        if (payload == RelayedPayload.TelephoneEvent)
        {
            _dtmfIn++;
            _dtmf.Receive(header.Ssrc, header.Timestamp, header.GetPayload(datagram), now);
            DrainDtmf();
        }

        switch (_mode)
        {
            case LegAudioMode.Echo when payload == RelayedPayload.Audio && !_player.IsPlaying:
                // Our own stream back to the phone (RFC 3550 section 8.2: a new SSRC, our sequence).
                SendToPhone(datagram, phone, now);
                break;
            case LegAudioMode.Relay when _relayTo is { } sink:
                sink.OnRelayedRtp(datagram, payload, now);
                _packetsRelayed++;
                break;
            default:
                break;
        }
    }

    /// <summary>Timers: DTMF end timeout, our DTMF packets, RTCP reports, the media timeout. Returns the next deadline.</summary>
    public TimeSpan Poll(TimeSpan now)
    {
        _now = now;
        _dtmf.Tick(now);
        DrainDtmf();
        var next = now + MediaShard.MaxWait;
        if (PollDtmfSend(now) is { } dtmfDue && dtmfDue < next)
        {
            next = dtmfDue;
        }

        if (PollPlayback(now) is { } frameDue && frameDue < next)
        {
            next = frameDue;
        }

        if (_dtmf.NextTimeout is { } detectorDue && detectorDue < next)
        {
            next = detectorDue;
        }

        next = PollRtcp(now, next);

        if (_mediaFlowed && !_timedOut)
        {
            var silentUntil = _lastRtpAt + MediaTimeout;
            if (now >= silentUntil)
            {
                _timedOut = true;
                Raise(new RtpLegEvent(RtpLegEventKind.MediaTimeout, Detail: "no RTP for " + MediaTimeout));
            }
            else if (silentUntil < next)
            {
                next = silentUntil;
            }
        }

        return next;
    }

    private void DrainDtmf()
    {
        while (_dtmf.TryRead(out var digit))
        {
            Raise(new RtpLegEvent(RtpLegEventKind.Dtmf, digit, digit.EndSeen ? null : "end packet lost"));
        }
    }
}
