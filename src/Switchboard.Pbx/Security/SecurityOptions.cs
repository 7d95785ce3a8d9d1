namespace Switchboard.Pbx.Security;

/// <summary>Limits on the authentication paths and on signed links. Defaults follow spec 2.2 and 2.9.</summary>
public sealed record SecurityOptions
{
    /// <summary>Failed logins for one account within <see cref="FailureWindow"/> before it is locked.</summary>
    public int AccountFailureLimit { get; init; } = 5;

    /// <summary>Failed logins from one client address within <see cref="FailureWindow"/> before it is locked.</summary>
    public int AddressFailureLimit { get; init; } = 20;

    public TimeSpan FailureWindow { get; init; } = TimeSpan.FromMinutes(15);

    public TimeSpan LockoutDuration { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest validity a signed link may claim (spec 2.2: the seed's two hours).</summary>
    public TimeSpan MaxLinkDuration { get; init; } = TimeSpan.FromHours(2);

    /// <summary>How far in the future a link's creation time may lie (clock skew between the signer and the PBX).</summary>
    public TimeSpan LinkClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a remembered session lasts from its login (not extended by use).</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The longest a minted call token may wait for its call, and its validity when the request names none (docs/tokens.md).</summary>
    public TimeSpan MaxTokenLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a call ticket (one WebSocket) stays valid after it is issued.</summary>
    public TimeSpan TicketLifetime { get; init; } = TimeSpan.FromSeconds(60);
}
