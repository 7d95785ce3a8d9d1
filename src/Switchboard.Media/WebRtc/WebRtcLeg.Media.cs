using System.Buffers.Binary;
using Switchboard.Media.Rtp;
using Switchboard.Media.Srtp;
using Switchboard.Media.Stun;

namespace Switchboard.Media.WebRtc;

public sealed partial class WebRtcLeg
{
    private long _audioIn;
    private long _audioOut;
    private long _dtmfIn;
    private long _rtcpIn;
    private long _srtpFailures;
    private long _dropped;

    /// <summary>SRTP and SRTCP from the selected pair only (RFC 8445 section 12: media follows the nominated pair).</summary>
    private void OnSrtp(Span<byte> datagram, TransportAddress source, bool rtcp)
    {
        if (_srtp is null || _mediaPeer is null || source != _mediaPeerAddress)
        {
            Count(dropped: 1);
            return;
        }

        if (rtcp)
        {
            if (_srtp.UnprotectRtcp(datagram, datagram.Length, out _) == SrtpResult.Ok)
            {
                _rtcpIn++;
            }
            else
            {
                _srtpFailures++;
            }

            PublishCounters();
            return;
        }

        if (_srtp.UnprotectRtp(datagram, datagram.Length, out var plainLength) != SrtpResult.Ok)
        {
            _srtpFailures++;
            PublishCounters();
            return;
        }

        var packet = datagram[..plainLength];
        if (RtpHeader.TryParse(packet, out var header) != RtpParseStatus.Ok)
        {
            Count(dropped: 1);
            return;
        }

        if (Audio.TelephoneEvent is { } te && header.PayloadType.Value == te.PayloadType)
        {
            _dtmfIn++;
            _dtmf.Receive(header.Ssrc, header.Timestamp, header.GetPayload(packet), Now);
            DrainDtmf(tick: false);
        }
        else if (header.PayloadType.Value == Audio.Codec.PayloadType)
        {
            _audioIn++;
            if (AudioMode == LegAudioMode.Echo)
            {
                SendOwnRtp(packet);
            }
        }

        PublishCounters();
    }

    /// <summary>Sends a plain RTP packet as our stream: our SSRC and sequence, then SRTP, to the selected pair.</summary>
    private void SendOwnRtp(ReadOnlySpan<byte> rtp)
    {
        if (_srtp is null || _mediaPeer is null || rtp.Length + 32 > _sendBuffer.Length)
        {
            return;
        }

        var buffer = _sendBuffer.AsSpan();
        rtp.CopyTo(buffer);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], _sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[8..], LocalSsrc);
        if (_srtp.ProtectRtp(buffer, rtp.Length, out var protectedLength) == SrtpResult.Ok &&
            TrySend(buffer[..protectedLength], _mediaPeer))
        {
            _audioOut++;
            if (FirstSrtpSentAt is null)
            {
                FirstSrtpSentAt = Now;
                Raise(new WebRtcLegEvent(WebRtcLegEventKind.FirstSrtpSent));
            }
        }
    }

    private void DrainDtmf(bool tick)
    {
        if (tick)
        {
            _dtmf.Tick(Now);
        }

        while (_dtmf.TryRead(out var digit))
        {
            Raise(new WebRtcLegEvent(WebRtcLegEventKind.Dtmf, digit));
        }
    }

    private void Count(int dropped)
    {
        _dropped += dropped;
        PublishCounters();
    }

    private void PublishCounters() =>
        Counters = new WebRtcLegCounters(_audioIn, _audioOut, _dtmfIn, _rtcpIn, _srtpFailures, _dropped);
}
