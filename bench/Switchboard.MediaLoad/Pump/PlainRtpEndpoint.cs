using System.Net;
using Switchboard.Media.Demux;

namespace Switchboard.MediaLoad.Pump;

/// <summary>A SIP phone's RTP/AVP port: plain PCMU both ways; RTCP (rtcp-mux) from the relay is ignored.</summary>
internal sealed class PlainRtpEndpoint : MediaEndpoint
{
    public PlainRtpEndpoint(int sendDirection)
        : base(sendDirection, IPAddress.Loopback)
    {
    }

    public override void OnDatagram(Span<byte> datagram, long now, PumpStats stats)
    {
        var kind = MediaDemux.Classify(datagram);
        if (kind == DatagramKind.Rtp)
        {
            OnRtp(datagram, now, stats);
        }
        else
        {
            OnOther(kind, stats);
        }
    }

    public override void OnTick(Span<byte> scratch, Span<byte> payload, long now, LoadPhase phase, PumpStats stats)
    {
        if (!Sending || !phase.Sending)
        {
            return;
        }

        Stamp(payload, now, phase, stats, SendDirection);
        var length = WriteRtp(scratch, payload);
        Send(scratch[..length], stats);
    }
}
