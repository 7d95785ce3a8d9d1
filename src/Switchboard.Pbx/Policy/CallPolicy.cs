using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Routing;

namespace Switchboard.Pbx.Policy;

/// <summary>
/// Decides where an external dial string goes, or why it may not (issue 5, parts 2 and 3): a dial rule
/// must name a trunk for it (else it is not found), its class must be allowed for the caller (emergency
/// always is), the popup and signed links may dial only the domain's allow-list, and the caller must be
/// under its limits (emergency is exempt). Internal numbers never get here: <see cref="DialPlan"/> resolves them first.
/// </summary>
public sealed class CallPolicy
{
    private readonly IPolicyStore _store;
    private readonly CallLimiter _limiter;
    private readonly PolicyCounters _counters;
    private readonly ILogger<CallPolicy> _logger;

    public CallPolicy(IPolicyStore store, CallLimiter limiter, PolicyCounters counters, ILogger<CallPolicy> logger)
    {
        _store = store;
        _limiter = limiter;
        _counters = counters;
        _logger = logger;
    }

    public async Task<Route> DecideAsync(Extension caller, string destination, string origin, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);

        // Up to seven store reads follow, and the store may block: on the thread pool, never on the call's shard.
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);

        // No rule, no way out: the number does not exist for this caller, whatever it would be allowed.
        var match = DialRuleMatcher.Match(
            (await _store.ListDialRulesAsync(caller.Domain, caller.Number, ct)).Select(r => r.Rule),
            (await _store.ListDialRulesAsync(caller.Domain, null, ct)).Select(r => r.Rule),
            destination);
        if (match is null)
        {
            return new Route.NotFound();
        }

        var numberClass = (await _store.GetNumberPlanAsync(caller.Domain, ct)).Classify(destination);
        var emergency = numberClass == NumberClass.Emergency;
        if (!emergency)
        {
            var allowed = await _store.GetPermissionsAsync(caller.Domain, caller.Number, ct) ?? NumberClasses.DefaultAllowed;
            if (!allowed.Contains(numberClass))
            {
                return Deny(caller, numberClass, origin, PolicyDenial.ClassNotAllowed);
            }
        }

        if (CallOrigin.IsClickToCall(origin) &&
            !(await _store.ListAllowListAsync(caller.Domain, ct)).Any(p => p.Matches(destination)))
        {
            return Deny(caller, numberClass, origin, PolicyDenial.NotOnAllowList);
        }

        if (!emergency)
        {
            var (extensionLimits, domainLimits) = await LimitsAsync(caller, ct);
            if (await _limiter.CheckAsync(caller, extensionLimits, domainLimits, ct) is { } limited)
            {
                return Deny(caller, numberClass, origin, limited);
            }
        }

        return new Route.ToTrunk(match.Rule.Trunk, match.Number, numberClass);
    }

    /// <summary>
    /// Counts a trunk call as started: dispose the lease when it ends. The dial plan only checked the limits;
    /// this is the atomic check-and-count, so two calls racing for the last place cannot both win.
    /// </summary>
    public async Task<LimitDecision> TryAcquireAsync(Extension caller, Route.ToTrunk route, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(route);
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding); // store reads: off the caller's loop
        var (extensionLimits, domainLimits) = await LimitsAsync(caller, ct);
        var decision = await _limiter.TryAcquireAsync(caller, extensionLimits, domainLimits, exempt: route.Class == NumberClass.Emergency, ct);
        if (decision.Denial is { } denial)
        {
            PolicyLog.Denied(_logger, route.Class, caller.Number, caller.Domain, "acquire", denial);
        }

        return decision;
    }

    /// <summary>What the popup shows after "not permitted", in words an administrator can act on.</summary>
    public static string Explain(PolicyDenial denial, NumberClass numberClass) => denial switch
    {
        PolicyDenial.ClassNotAllowed => $"{NumberClasses.Name(numberClass)} numbers are not permitted for this extension",
        PolicyDenial.NotOnAllowList => "the number is not on the click-to-call allow-list",
        PolicyDenial.ExtensionConcurrent => "too many calls at once from this extension",
        PolicyDenial.DomainConcurrent => "too many calls at once from this domain",
        PolicyDenial.ExtensionPerMinute => "too many calls per minute from this extension",
        _ => "too many calls per minute from this domain",
    };

    private async Task<(CallLimits Extension, CallLimits Domain)> LimitsAsync(Extension caller, CancellationToken ct) =>
        (await _store.GetLimitsAsync(caller.Domain, caller.Number, ct) ?? CallLimits.ExtensionDefault,
         await _store.GetLimitsAsync(caller.Domain, null, ct) ?? CallLimits.None);

    private Route.NotPermitted Deny(Extension caller, NumberClass numberClass, string origin, PolicyDenial denial)
    {
        _counters.Count(denial);
        PolicyLog.Denied(_logger, numberClass, caller.Number, caller.Domain, origin, denial);
        return new Route.NotPermitted(Explain(denial, numberClass));
    }
}
