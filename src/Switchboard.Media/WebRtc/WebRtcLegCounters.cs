namespace Switchboard.Media.WebRtc;

/// <summary>What crossed a leg, for call records, tests and benchmarks.</summary>
public readonly record struct WebRtcLegCounters(
    long AudioPacketsReceived,
    long AudioPacketsSent,
    long DtmfPacketsReceived,
    long RtcpPacketsReceived,
    long RtcpPacketsSent,
    long SrtpFailures,
    long DroppedDatagrams);
