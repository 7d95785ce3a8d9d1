using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Policy;

/// <summary>
/// Counts trunk calls per extension and per domain: how many are up now, and how many started in the
/// last minute (a sliding window on the injected clock). Calls have one owner each but share these
/// counters, so a short lock guards them: a mailbox would make every call start wait on another loop.
/// The counters are in memory; at start the host puts back the last minute's starts from the call records
/// (<see cref="RecentTrunkCalls"/>), so a restart does not refill a caller's per-minute budget.
/// With several nodes (<see cref="IClusterCallLimits"/>) the cluster's counters decide, and these stay as this node's
/// share (its metrics) and as the fallback while the shared counters cannot be reached.
/// </summary>
public sealed partial class CallLimiter
{
    /// <summary>The per-minute limits' sliding window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly PolicyCounters _counters;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Usage> _extensions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Usage> _domains = new(StringComparer.OrdinalIgnoreCase);
    private readonly IClusterCallLimits? _cluster;
    private readonly ILogger<CallLimiter> _log;

    public CallLimiter(TimeProvider time, PolicyCounters counters, IClusterCallLimits? cluster = null, ILogger<CallLimiter>? log = null)
    {
        _time = time;
        _counters = counters;
        _cluster = cluster;
        _log = log ?? NullLogger<CallLimiter>.Instance;
    }

    /// <summary>
    /// <see cref="Check"/> for the whole cluster when counters are shared. While they cannot be reached this node's own
    /// counts decide: a limit then holds per node rather than not at all, and calls are not refused for an outage.
    /// </summary>
    public async Task<PolicyDenial?> CheckAsync(Extension caller, CallLimits extension, CallLimits domain, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (_cluster is not null)
        {
            try
            {
                return await _cluster.CheckAsync(caller, extension, domain, _time.GetUtcNow(), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogClusterUnreachable(_log, e.Message);
            }
        }

        return Check(caller, extension, domain);
    }

    /// <summary><see cref="TryAcquire"/>, counted for the whole cluster when counters are shared (same fallback as <see cref="CheckAsync"/>).</summary>
    public async Task<LimitDecision> TryAcquireAsync(Extension caller, CallLimits extension, CallLimits domain, bool exempt = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (_cluster is not null)
        {
            var leaseId = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
            PolicyDenial? denial;
            try
            {
                denial = await _cluster.TryAcquireAsync(caller, extension, domain, exempt, leaseId, _time.GetUtcNow(), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogClusterUnreachable(_log, e.Message);
                return TryAcquire(caller, extension, domain, exempt);
            }

            if (denial is { } refused)
            {
                _counters.Count(refused);
                return new LimitDecision(null, refused);
            }

            lock (_gate)
            {
                var now = _time.GetUtcNow();
                Get(_extensions, caller.Account).Start(now);
                Get(_domains, caller.Domain).Start(now);
            }

            return new LimitDecision(new CallLease(this, caller.Account, caller.Domain, () => _cluster.Release(caller, leaseId)), null);
        }

        return TryAcquire(caller, extension, domain, exempt);
    }

    /// <summary>Whether a call would be refused now, without counting it (the dial plan's early answer).</summary>
    public PolicyDenial? Check(Extension caller, CallLimits extension, CallLimits domain)
    {
        ArgumentNullException.ThrowIfNull(caller);
        lock (_gate)
        {
            return Deny(caller, extension, domain, _time.GetUtcNow());
        }
    }

    /// <summary>
    /// Counts a call starting now and returns its lease (dispose it when the call ends), or the reason it
    /// may not start. An <paramref name="exempt"/> call (emergency) is counted but never refused.
    /// </summary>
    public LimitDecision TryAcquire(Extension caller, CallLimits extension, CallLimits domain, bool exempt = false)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!exempt && Deny(caller, extension, domain, now) is { } denial)
            {
                _counters.Count(denial);
                return new LimitDecision(null, denial);
            }

            var ext = Get(_extensions, caller.Account);
            var dom = Get(_domains, caller.Domain);
            ext.Start(now);
            dom.Start(now);
            return new LimitDecision(new CallLease(this, caller.Account, caller.Domain), null);
        }
    }

    /// <summary>
    /// Counts calls that a previous process started against the per-minute limits (not the concurrent ones: a restart ended
    /// them all). Before any call of this process: the window's order is by start time.
    /// </summary>
    public void RestoreStarts(IEnumerable<(string Account, string Domain, DateTimeOffset StartedAt)> starts)
    {
        ArgumentNullException.ThrowIfNull(starts);
        lock (_gate)
        {
            foreach (var (account, domain, at) in starts.OrderBy(s => s.StartedAt))
            {
                Get(_extensions, account).Restart(at);
                Get(_domains, domain).Restart(at);
            }
        }
    }

    /// <summary>Calls up now for an account (<c>ext@domain</c>) or, with a bare name, a domain.</summary>
    public int Active(string accountOrDomain)
    {
        lock (_gate)
        {
            var table = accountOrDomain.Contains('@', StringComparison.Ordinal) ? _extensions : _domains;
            return table.TryGetValue(accountOrDomain, out var usage) ? usage.Active : 0;
        }
    }

    internal void Release(string account, string domain)
    {
        lock (_gate)
        {
            _extensions[account].Active--;
            _domains[domain].Active--;
        }
    }

    private PolicyDenial? Deny(Extension caller, CallLimits extension, CallLimits domain, DateTimeOffset now)
    {
        var ext = Get(_extensions, caller.Account);
        var dom = Get(_domains, caller.Domain);
        if (extension.Concurrent is { } ec && ext.Active >= ec)
        {
            return PolicyDenial.ExtensionConcurrent;
        }

        if (domain.Concurrent is { } dc && dom.Active >= dc)
        {
            return PolicyDenial.DomainConcurrent;
        }

        if (extension.PerMinute is { } em && ext.StartedSince(now - Window) >= em)
        {
            return PolicyDenial.ExtensionPerMinute;
        }

        return domain.PerMinute is { } dm && dom.StartedSince(now - Window) >= dm ? PolicyDenial.DomainPerMinute : null;
    }

    private static Usage Get(Dictionary<string, Usage> table, string key)
    {
        if (!table.TryGetValue(key, out var usage))
        {
            usage = new Usage();
            table[key] = usage;
        }

        return usage;
    }

    private sealed class Usage
    {
        private readonly Queue<DateTimeOffset> _starts = new();

        public int Active { get; set; }

        public void Start(DateTimeOffset now)
        {
            Active++;
            _starts.Enqueue(now);
        }

        /// <summary>A start of a call that is no longer up (it was before a restart): it counts in the window only.</summary>
        public void Restart(DateTimeOffset at) => _starts.Enqueue(at);

        /// <summary>Starts after <paramref name="since"/>; older ones are forgotten, so the queue stays small.</summary>
        public int StartedSince(DateTimeOffset since)
        {
            while (_starts.Count > 0 && _starts.Peek() <= since)
            {
                _starts.Dequeue();
            }

            return _starts.Count;
        }
    }

    [LoggerMessage(EventId = 5030, Level = LogLevel.Warning, Message = "Shared call counters unreachable ({Error}); this node's own counts decide")]
    private static partial void LogClusterUnreachable(ILogger logger, string error);
}
