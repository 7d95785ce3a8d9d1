namespace Switchboard.Pbx.Security;

/// <summary>
/// Keeps the throttle's lockouts across a restart (docs/security.md, "Rate limits and lockouts"): written when one
/// starts, read once at start-up.
/// </summary>
public interface ILockoutStore
{
    /// <summary>
    /// Queues <paramref name="lockout"/> to be written soon. Never blocks and never throws: the throttle calls it from
    /// whatever loop saw the failure (the SIP endpoint's among them). A lockout that could not be written is still in force
    /// in memory; only a restart would forget it.
    /// </summary>
    void Save(LoginLockout lockout);

    /// <summary>The lockouts still in force at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<LoginLockout>> LoadActiveAsync(DateTimeOffset now, CancellationToken ct = default);
}

/// <param name="Key">The throttle's key: <c>a:</c> and a lower-case account, or <c>ip:</c> and a client address.</param>
public sealed record LoginLockout(string Key, DateTimeOffset Until);
