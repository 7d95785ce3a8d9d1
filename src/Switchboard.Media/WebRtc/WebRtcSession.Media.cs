using System.Buffers.Binary;
using Switchboard.Media.Relay;
using Switchboard.Media.Rtcp;
using Switchboard.Media.Rtp;
using Switchboard.Media.Srtp;
using Switchboard.Media.Stun;

namespace Switchboard.Media.WebRtc;

public sealed partial class WebRtcSession
{
    private readonly RtpStreamRewriter _out;
    private RtcpScheduler? _rtcp;
    private TimeProvider _wallClock = TimeProvider.System;
    private long _audioIn;
    private long _audioOut;
    private long _dtmfIn;
    private long _rtcpIn;
    private long _rtcpOut;
    private long _srtpFailures;
    private long _dropped;

    public WebRtcLegCounters Counters => new(_audioIn, _audioOut, _dtmfIn, _rtcpIn, _rtcpOut, _srtpFailures, _dropped);

    /// <summary>Loss, jitter and round trip of this leg from RTCP (docs/media.md, "Call quality"); on the owner's thread only.</summary>
    public LegQuality Quality => _rtcp?.Quality ?? default;

    /// <summary>SRTP and SRTCP from the selected pair only (RFC 8445 section 12: media follows the nominated pair).</summary>
    private void OnSrtp(Span<byte> datagram, TransportAddress source, bool rtcp)
    {
        if (_srtp is null || !_hasMediaPeer || source != _mediaPeer)
        {
            _dropped++;
            return;
        }

        if (rtcp)
        {
            if (_srtp.UnprotectRtcp(datagram, datagram.Length, out var rtcpLength) == SrtpResult.Ok)
            {
                _rtcpIn++;
                Rtcp(_now).OnRtcpReceived(datagram[..rtcpLength], _now);
            }
            else
            {
                _srtpFailures++;
            }

            return;
        }

        if (_srtp.UnprotectRtp(datagram, datagram.Length, out var plainLength) != SrtpResult.Ok)
        {
            _srtpFailures++;
            return;
        }

        var packet = datagram[..plainLength];
        if (RtpHeader.TryParse(packet, out var header) != RtpParseStatus.Ok)
        {
            _dropped++;
            return;
        }

        if (!_firstSrtpReceived)
        {
            _firstSrtpReceived = true;
            Raise(new WebRtcLegEvent(WebRtcLegEventKind.FirstSrtpReceived));
        }

        Rtcp(_now).OnRtpReceived(header, _now, out _);
        if (Audio.TelephoneEvent is { } te && header.PayloadType.Value == te.PayloadType)
        {
            _dtmfIn++;
            _dtmf.Receive(header.Ssrc, header.Timestamp, header.GetPayload(packet), _now);
            DrainDtmf();
            RelayIfRelaying(packet, RelayedPayload.TelephoneEvent);
        }
        else if (header.PayloadType.Value == Audio.Codec.PayloadType)
        {
            _audioIn++;
            if (AudioMode == LegAudioMode.Echo)
            {
                // A prompt owns our stream while it plays: echoing too would interleave two sources.
                if (!_player.IsPlaying)
                {
                    SendOwnRtp(packet, header, _scratch.Send);
                }
            }
            else
            {
                RelayIfRelaying(packet, RelayedPayload.Audio);
            }
        }
    }

    /// <summary>
    /// Sends a plain RTP packet as our one stream (<see cref="RtpStreamRewriter"/>: our SSRC and sequence, a timestamp
    /// line that survives a change of source), protected, to the selected pair.
    /// </summary>
    private void SendOwnRtp(ReadOnlySpan<byte> rtp, in RtpHeader header, byte[] sendBuffer)
    {
        if (_srtp is null || rtp.Length + 32 > sendBuffer.Length)
        {
            return;
        }

        var buffer = sendBuffer.AsSpan();
        rtp.CopyTo(buffer);
        var sequence = _out.Rewrite(buffer, _now, Audio.Codec.Codec.ClockRate);
        var timestamp = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        if (_srtp.ProtectRtp(buffer, rtp.Length, out var protectedLength) != SrtpResult.Ok)
        {
            return;
        }

        _sender.Send(buffer[..protectedLength], _mediaPeer);
        _audioOut++;
        Rtcp(_now).OnRtpSent(new Ssrc(LocalSsrc), sequence, timestamp, header.PayloadLength, _now);
        if (FirstSrtpSentAt is null)
        {
            FirstSrtpSentAt = _now;
            Raise(new WebRtcLegEvent(WebRtcLegEventKind.FirstSrtpSent));
        }
    }

    /// <summary>Sender and receiver reports (RFC 3550 section 6.4) once media flows, SRTCP-protected, rtcp-mux.</summary>
    private TimeSpan PollRtcp(TimeSpan now, TimeSpan next)
    {
        if (_srtp is null || !_hasMediaPeer)
        {
            return next;
        }

        var rtcp = Rtcp(now);
        if (!rtcp.IsReportDue(now))
        {
            return rtcp.NextReportDue < next ? rtcp.NextReportDue : next;
        }

        if (rtcp.TryBuildReport(_scratch.Send, now, NtpNow(), out var length) &&
            _srtp.ProtectRtcp(_scratch.Send, length, out var protectedLength) == SrtpResult.Ok)
        {
            _sender.Send(_scratch.Send.AsSpan(0, protectedLength), _mediaPeer);
            _rtcpOut++;
        }

        // Once per report interval: the owner may read Quality now (the live view's figures).
        Raise(new WebRtcLegEvent(WebRtcLegEventKind.QualitySampled));

        return rtcp.NextReportDue < next ? rtcp.NextReportDue : next;
    }

    private RtcpScheduler Rtcp(TimeSpan now) =>
        _rtcp ??= new RtcpScheduler(new Ssrc(LocalSsrc), "switchboard", Audio.Codec.Codec.ClockRate, Random.Shared, now);

    /// <summary>The shard's wall clock as a 64-bit NTP timestamp, for sender reports only (round trips use the monotonic clock).</summary>
    private ulong NtpNow() => NtpTime.FromDateTimeOffset(_wallClock.GetUtcNow());

    private void DrainDtmf()
    {
        while (_dtmf.TryRead(out var digit))
        {
            Raise(new WebRtcLegEvent(WebRtcLegEventKind.Dtmf, digit));
        }
    }
}
