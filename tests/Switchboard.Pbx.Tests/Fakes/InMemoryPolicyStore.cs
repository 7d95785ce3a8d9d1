using Switchboard.Pbx.Policy;

namespace Switchboard.Pbx.Tests.Fakes;

/// <summary>The policy settings in dictionaries, without checking that domains and extensions exist.</summary>
internal sealed class InMemoryPolicyStore : IPolicyStore
{
    private readonly List<DialRuleEntry> _rules = [];
    private readonly Dictionary<string, IReadOnlySet<NumberClass>> _permissions = [];
    private readonly Dictionary<string, CallLimits> _limits = [];
    private readonly Dictionary<string, List<DialPattern>> _allow = [];
    private readonly Dictionary<string, NumberPlan> _plans = [];

    public Task<DialRuleEntry> AddDialRuleAsync(string domain, string? extension, int? position, DialRule rule, CancellationToken ct = default)
    {
        var own = _rules.Where(r => r.Domain == domain && r.Extension == extension).ToList();
        var entry = new DialRuleEntry(_rules.Count + 1, domain, extension, position ?? own.Count + 1, rule);
        _rules.Insert(position is { } p ? _rules.IndexOf(own[p - 1]) : _rules.Count, entry);
        return Task.FromResult(entry);
    }

    public Task<IReadOnlyList<DialRuleEntry>> ListDialRulesAsync(string domain, string? extension, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<DialRuleEntry>>([.. _rules.Where(r => r.Domain == domain && r.Extension == extension)]);

    public Task<bool> RemoveDialRuleAsync(long id, CancellationToken ct = default) => Task.FromResult(_rules.RemoveAll(r => r.Id == id) > 0);

    public Task<DialRuleEntry?> FindDialRuleAsync(long id, CancellationToken ct = default) =>
        Task.FromResult(_rules.FirstOrDefault(r => r.Id == id));

    public Task<DialRuleEntry?> ChangeDialRuleAsync(long id, DialRule rule, CancellationToken ct = default)
    {
        var index = _rules.FindIndex(r => r.Id == id);
        if (index < 0)
        {
            return Task.FromResult<DialRuleEntry?>(null);
        }

        _rules[index] = _rules[index] with { Rule = rule };
        return Task.FromResult<DialRuleEntry?>(_rules[index]);
    }

    public Task<IReadOnlyDictionary<string, IReadOnlySet<NumberClass>>> ListPermissionsAsync(string domain, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyDictionary<string, IReadOnlySet<NumberClass>>>(
            _permissions.Where(p => p.Key.EndsWith("@" + domain, StringComparison.Ordinal)).ToDictionary(p => p.Key.Split('@')[0], p => p.Value));

    public Task<bool> ResetPermissionsAsync(string domain, string extension, CancellationToken ct = default) =>
        Task.FromResult(_permissions.Remove(extension + "@" + domain));

    public Task<IReadOnlyDictionary<string, CallLimits>> ListExtensionLimitsAsync(string domain, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyDictionary<string, CallLimits>>(
            _limits.Where(l => l.Key.Length > domain.Length + 1 && l.Key.EndsWith("@" + domain, StringComparison.Ordinal)).ToDictionary(l => l.Key.Split('@')[0], l => l.Value));

    public Task<bool> ResetLimitsAsync(string domain, string? extension, CancellationToken ct = default) =>
        Task.FromResult(_limits.Remove(extension + "@" + domain));

    public Task<IReadOnlySet<NumberClass>?> GetPermissionsAsync(string domain, string extension, CancellationToken ct = default) =>
        Task.FromResult(_permissions.GetValueOrDefault(extension + "@" + domain));

    public Task SetPermissionsAsync(string domain, string extension, IReadOnlySet<NumberClass> allowed, CancellationToken ct = default)
    {
        _permissions[extension + "@" + domain] = allowed;
        return Task.CompletedTask;
    }

    public Task<CallLimits?> GetLimitsAsync(string domain, string? extension, CancellationToken ct = default) =>
        Task.FromResult(_limits.GetValueOrDefault(extension + "@" + domain));

    public Task SetLimitsAsync(string domain, string? extension, CallLimits limits, CancellationToken ct = default)
    {
        _limits[extension + "@" + domain] = limits;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DialPattern>> ListAllowListAsync(string domain, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<DialPattern>>(_allow.TryGetValue(domain, out var list) ? [.. list] : []);

    public Task<bool> AddAllowListAsync(string domain, DialPattern pattern, CancellationToken ct = default)
    {
        var list = _allow.TryGetValue(domain, out var l) ? l : _allow[domain] = [];
        list.Add(pattern);
        return Task.FromResult(true);
    }

    public Task<bool> RemoveAllowListAsync(string domain, string pattern, CancellationToken ct = default) =>
        Task.FromResult(_allow.TryGetValue(domain, out var list) && list.RemoveAll(p => p.Text == pattern) > 0);

    public Task<NumberPlan> GetNumberPlanAsync(string domain, CancellationToken ct = default) =>
        Task.FromResult(_plans.GetValueOrDefault(domain) ?? NumberPlan.Default);

    public Task SetNumberClassPatternsAsync(string domain, NumberClass numberClass, IReadOnlyList<DialPattern> patterns, CancellationToken ct = default)
    {
        _plans[domain] = (_plans.GetValueOrDefault(domain) ?? NumberPlan.Default).With(numberClass, patterns);
        return Task.CompletedTask;
    }
}
