namespace Switchboard.Pbx.Policy;

/// <summary>A stored dial rule: <see cref="Extension"/> is null for the domain's own list. Positions count from 1.</summary>
public sealed record DialRuleEntry(long Id, string Domain, string? Extension, int Position, DialRule Rule);

/// <summary>
/// Dial rules, permissions, limits, the click-to-call allow-list and number classes, per domain and
/// extension. Writes naming an unknown domain or extension throw <see cref="Directory.DirectoryConflictException"/>.
/// </summary>
public interface IPolicyStore
{
    /// <summary>Adds a rule at <paramref name="position"/> (rules there and after move down), or at the end when null.</summary>
    Task<DialRuleEntry> AddDialRuleAsync(string domain, string? extension, int? position, DialRule rule, CancellationToken ct = default);

    /// <summary>The domain's rules (extension null) or one extension's own rules, in order.</summary>
    Task<IReadOnlyList<DialRuleEntry>> ListDialRulesAsync(string domain, string? extension, CancellationToken ct = default);

    Task<bool> RemoveDialRuleAsync(long id, CancellationToken ct = default);

    /// <summary>One rule by its id, with the domain and extension it belongs to; null when there is none.</summary>
    Task<DialRuleEntry?> FindDialRuleAsync(long id, CancellationToken ct = default);

    /// <summary>Changes a rule's pattern, trunk, strip and prefix in place (its owner and position stay); null when there is none.</summary>
    Task<DialRuleEntry?> ChangeDialRuleAsync(long id, DialRule rule, CancellationToken ct = default);

    /// <summary>The classes an extension may dial, or null when never set (then <see cref="NumberClasses.DefaultAllowed"/>).</summary>
    Task<IReadOnlySet<NumberClass>?> GetPermissionsAsync(string domain, string extension, CancellationToken ct = default);

    Task SetPermissionsAsync(string domain, string extension, IReadOnlySet<NumberClass> allowed, CancellationToken ct = default);

    /// <summary>The permissions set for the domain's extensions, by extension number; an extension not listed has the default.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlySet<NumberClass>>> ListPermissionsAsync(string domain, CancellationToken ct = default);

    /// <summary>Forgets an extension's permissions, so it has the default again.</summary>
    /// <returns>False when none were set.</returns>
    Task<bool> ResetPermissionsAsync(string domain, string extension, CancellationToken ct = default);

    /// <summary>A domain's (extension null) or an extension's limits, or null when never set.</summary>
    Task<CallLimits?> GetLimitsAsync(string domain, string? extension, CancellationToken ct = default);

    Task SetLimitsAsync(string domain, string? extension, CallLimits limits, CancellationToken ct = default);

    /// <summary>The limits set for the domain's extensions, by extension number; an extension not listed has the default.</summary>
    Task<IReadOnlyDictionary<string, CallLimits>> ListExtensionLimitsAsync(string domain, CancellationToken ct = default);

    /// <summary>Forgets a domain's (extension null) or an extension's limits, so the default holds again.</summary>
    /// <returns>False when none were set.</returns>
    Task<bool> ResetLimitsAsync(string domain, string? extension, CancellationToken ct = default);

    Task<IReadOnlyList<DialPattern>> ListAllowListAsync(string domain, CancellationToken ct = default);

    /// <returns>False when the pattern was on the list already.</returns>
    Task<bool> AddAllowListAsync(string domain, DialPattern pattern, CancellationToken ct = default);

    Task<bool> RemoveAllowListAsync(string domain, string pattern, CancellationToken ct = default);

    /// <summary>The domain's number plan: its own patterns where set, the defaults elsewhere.</summary>
    Task<NumberPlan> GetNumberPlanAsync(string domain, CancellationToken ct = default);

    /// <summary>Replaces one class's patterns for the domain; an empty list restores the default.</summary>
    Task SetNumberClassPatternsAsync(string domain, NumberClass numberClass, IReadOnlyList<DialPattern> patterns, CancellationToken ct = default);
}
