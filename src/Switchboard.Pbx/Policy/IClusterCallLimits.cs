using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Policy;

/// <summary>
/// The toll-fraud counters shared by several PBX nodes (docs/scale-out.md, "Redis"): calls up now and calls started in
/// the last minute, per extension and per domain, counted atomically for the whole cluster so that a limit holds
/// whichever node a call lands on. Absent on a single node, where <see cref="CallLimiter"/> counts in memory.
/// </summary>
public interface IClusterCallLimits
{
    /// <summary>Whether a call would be refused now, without counting it.</summary>
    Task<PolicyDenial?> CheckAsync(Extension caller, CallLimits extension, CallLimits domain, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>
    /// Counts a call starting now under <paramref name="leaseId"/> (a new random id), or says why it may not start.
    /// An <paramref name="exempt"/> call is counted but never refused. The lease stays counted until
    /// <see cref="Release"/>, or until its node stops renewing it (a node that died frees its places).
    /// </summary>
    Task<PolicyDenial?> TryAcquireAsync(Extension caller, CallLimits extension, CallLimits domain, bool exempt, string leaseId,
        DateTimeOffset now, CancellationToken ct = default);

    /// <summary>Frees the place of a call that ended; never blocks.</summary>
    void Release(Extension caller, string leaseId);
}
