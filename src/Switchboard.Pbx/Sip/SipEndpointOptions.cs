using Switchboard.Sip.Transactions;

namespace Switchboard.Pbx.Sip;

public sealed record SipEndpointOptions
{
    /// <summary>The transaction timers (T1, T2, T4) of RFC 3261 section 17.</summary>
    public SipTimerSettings Timers { get; init; } = SipTimerSettings.Default;

    /// <summary>How often due transaction timers and 2xx retransmissions are checked: one heartbeat for all of them.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The User-Agent / Server header value.</summary>
    public string Product { get; init; } = "Switchboard";
}
