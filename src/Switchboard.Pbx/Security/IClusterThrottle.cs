namespace Switchboard.Pbx.Security;

/// <summary>
/// The part of the login throttle that several PBX nodes share (docs/scale-out.md, "Redis"): failures counted for
/// every node at once, and lockouts every node enforces. Each node keeps its own <see cref="LoginThrottle"/> as the fast
/// path (the SIP loop asks it without any I/O); this adds what the others saw. Absent on a single node.
/// </summary>
public interface IClusterThrottle
{
    /// <summary>
    /// Counts one failure of <paramref name="key"/> for the whole cluster and returns the lockout it started, or null.
    /// A lockout it starts is also announced to every node (<see cref="Subscribe"/>).
    /// </summary>
    Task<LoginLockout?> CountFailureAsync(string key, int limit, TimeSpan window, TimeSpan lockout, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>How long <paramref name="key"/> is still locked out anywhere in the cluster (zero if it is not).</summary>
    Task<TimeSpan> LockRemainingAsync(string key, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>Forgets the failures counted for <paramref name="key"/> (a success); never blocks.</summary>
    void ClearFailures(string key);

    /// <summary>Calls <paramref name="onLockout"/> for each lockout any node starts from now on.</summary>
    IDisposable Subscribe(Action<LoginLockout> onLockout);

    /// <summary>The lockouts in force in the cluster at <paramref name="now"/> (read once at start-up).</summary>
    Task<IReadOnlyList<LoginLockout>> LoadActiveAsync(DateTimeOffset now, CancellationToken ct = default);
}
