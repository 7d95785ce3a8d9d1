namespace Switchboard.Media.Phone;

/// <summary>What crossed a phone leg, for call records, tests and benchmarks.</summary>
/// <param name="PacketsReceived">Valid RTP packets from the phone (audio and telephone-event).</param>
/// <param name="PacketsSent">RTP packets sent to the phone: relayed in, echoed, and our own DTMF.</param>
/// <param name="PacketsRelayed">Packets from the phone handed to <see cref="RtpLeg.RelayTo"/>.</param>
/// <param name="PacketsDropped">Datagrams from unaccepted addresses or not RTP, and relayed packets we could not send.</param>
/// <param name="DtmfPacketsReceived">telephone-event packets from the phone.</param>
/// <param name="RtcpPacketsReceived">RTCP from the phone (on the multiplexed port, or from its port above): read for <see cref="RtpSession.Quality"/>.</param>
public readonly record struct RtpLegCounters(
    long PacketsReceived,
    long PacketsSent,
    long PacketsRelayed,
    long PacketsDropped,
    long DtmfPacketsReceived,
    long RtcpPacketsReceived);
