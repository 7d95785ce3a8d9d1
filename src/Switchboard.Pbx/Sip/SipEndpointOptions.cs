using Switchboard.Sip.Transactions;

namespace Switchboard.Pbx.Sip;

public sealed record SipEndpointOptions
{
    /// <summary>The transaction timers (T1, T2, T4) of RFC 3261 section 17.</summary>
    public SipTimerSettings Timers { get; init; } = SipTimerSettings.Default;

    /// <summary>
    /// The shortest time between two checks of due transaction timers and 2xx retransmissions. The check is armed for
    /// the earliest one due (none: no check at all, so an idle endpoint wakes nobody), and never sooner than this after
    /// the last, so a busy endpoint checks at most this often.
    /// </summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The User-Agent / Server header value.</summary>
    public string Product { get; init; } = "Switchboard";
}
