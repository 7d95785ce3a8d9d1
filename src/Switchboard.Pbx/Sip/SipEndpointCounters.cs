namespace Switchboard.Pbx.Sip;

/// <summary>What the SIP endpoint has seen; read by /metrics and tests.</summary>
public readonly record struct SipEndpointCounters(
    long Received,
    long Dropped,
    long BadRequests,
    long Sent,
    long SendFailures,
    int ClientTransactions,
    int ServerTransactions,
    int Dialogs,
    SipFloodCounters Flood = default);
