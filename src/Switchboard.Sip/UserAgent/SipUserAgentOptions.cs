using Switchboard.Sip.Transactions;

namespace Switchboard.Sip.UserAgent;

public sealed record SipUserAgentOptions
{
    /// <summary>The transaction timers (T1, T2, T4) of RFC 3261 section 17; T1 and T2 pace 2xx retransmissions too (section 13.3.1.4).</summary>
    public SipTimerSettings Timers { get; init; } = SipTimerSettings.Default;

    /// <summary>The methods we handle, for Allow in 405 and OPTIONS answers (RFC 3261 section 20.5).</summary>
    public string AllowedMethods { get; init; } = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER";

    /// <summary>Out-of-dialog methods handed to the application; the core answers OPTIONS, CANCEL, and the rest with 481 or 405.</summary>
    public IReadOnlySet<string> ApplicationMethods { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "INVITE", "REGISTER" };

    /// <summary>Out-of-dialog methods that only make sense inside a dialog: 481 rather than 405 (RFC 3261 section 12.2.2).</summary>
    public IReadOnlySet<string> DialogOnlyMethods { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "BYE", "INFO" };

    /// <summary>The Server header value in answers the core writes itself.</summary>
    public string Product { get; init; } = "Switchboard";
}
