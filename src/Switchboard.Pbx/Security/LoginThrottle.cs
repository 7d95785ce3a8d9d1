using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Switchboard.Pbx.Security;

/// <summary>
/// Counts failed authentications per account and per client address in a sliding window and locks a
/// key out for <see cref="SecurityOptions.LockoutDuration"/> once it reaches its limit (spec 2.9).
/// Web logins, signed links and SIP digest share one instance, so guessing through one path
/// spends the budget of all. Counts are in memory; a lockout is also handed to the <see cref="ILockoutStore"/> when it
/// starts, and the host puts the stored ones back (<see cref="Restore"/>) before it serves, so a restart keeps them.
/// With several nodes (<see cref="IClusterThrottle"/>) every failure is also counted for the cluster, and a lockout any
/// node starts is put in force here too; the synchronous methods (the SIP loop's) only hand the count over, the
/// asynchronous ones (web logins, links) wait for the cluster's answer.
/// </summary>
public sealed partial class LoginThrottle : IDisposable
{
    /// <summary>Beyond this many tracked keys, expired ones are swept before a new key is added.</summary>
    private const int SweepThreshold = 10_000;

    private readonly SecurityOptions _options;
    private readonly TimeProvider _time;
    private readonly ILockoutStore? _lockouts;
    private readonly Dictionary<string, KeyState> _keys = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The key count that triggers the next sweep; doubled after a sweep so sweeping stays amortised O(1) per failure.</summary>
    private int _sweepAt = SweepThreshold;

    private readonly IClusterThrottle? _cluster;
    private readonly IDisposable? _subscription;
    private readonly ILogger<LoginThrottle> _log;
    private long _lockoutsStarted;

    public LoginThrottle(SecurityOptions options, TimeProvider time, ILockoutStore? lockouts = null, IClusterThrottle? cluster = null,
        ILogger<LoginThrottle>? log = null)
    {
        _options = options;
        _time = time;
        _lockouts = lockouts;
        _cluster = cluster;
        _log = log ?? NullLogger<LoginThrottle>.Instance;
        _subscription = cluster?.Subscribe(lockout => Restore([lockout]));
    }

    public void Dispose() => _subscription?.Dispose();

    /// <summary>
    /// Lockouts failures on this node started since start, of an account or of an address (for metrics and the admin
    /// overview); one another node started and this one only put in force is not counted here.
    /// </summary>
    public long LockoutsStarted => Interlocked.Read(ref _lockoutsStarted);

    /// <summary><see cref="Check"/>, then (with several nodes) whether another node has locked the account or address out.</summary>
    public async Task<ThrottleDecision> CheckAsync(string account, string address, CancellationToken ct = default)
    {
        var local = Check(account, address);
        if (!local.Allowed || _cluster is null)
        {
            return local;
        }

        try
        {
            var now = _time.GetUtcNow();
            var wait = Max(await _cluster.LockRemainingAsync(AccountKey(account), now, ct), await _cluster.LockRemainingAsync(AddressKey(address), now, ct));
            return wait > TimeSpan.Zero ? ThrottleDecision.LockedOut(wait) : ThrottleDecision.Allow;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogClusterUnreachable(_log, e.Message);
            return local;
        }
    }

    /// <summary><see cref="RecordFailure"/>, and (with several nodes) the cluster's count of it, waited for.</summary>
    public async Task<ThrottleDecision> RecordFailureAsync(string account, string address, CancellationToken ct = default)
    {
        var local = RecordFailureHere(account, address, out var startedHere);
        if (_cluster is null)
        {
            return local;
        }

        var now = _time.GetUtcNow();
        try
        {
            var a = await _cluster.CountFailureAsync(AccountKey(account), _options.AccountFailureLimit, _options.FailureWindow, _options.LockoutDuration, now, ct);
            var b = await _cluster.CountFailureAsync(AddressKey(address), _options.AddressFailureLimit, _options.FailureWindow, _options.LockoutDuration, now, ct);
            LoginLockout[] started = [.. new[] { a, b }.OfType<LoginLockout>()];
            if (started.Length == 0)
            {
                return local;
            }

            Restore(started);

            // The cluster's count may start a lockout this node's own count did not (failures spent on other nodes).
            Interlocked.Add(ref _lockoutsStarted, Math.Max(0, started.Length - startedHere));
            var wait = started.Max(l => l.Until) - now;
            return ThrottleDecision.LockedOut(Max(wait, local.RetryAfter));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogClusterUnreachable(_log, e.Message);
            return local;
        }
    }

    /// <summary>Puts back lockouts that a previous process started (its failure counts below the limit are not kept).</summary>
    public void Restore(IEnumerable<LoginLockout> lockouts)
    {
        ArgumentNullException.ThrowIfNull(lockouts);
        lock (_gate)
        {
            foreach (var lockout in lockouts)
            {
                if (!_keys.TryGetValue(lockout.Key, out var state))
                {
                    state = new KeyState();
                    _keys[lockout.Key] = state;
                }

                state.LockedUntil = lockout.Until > state.LockedUntil ? lockout.Until : state.LockedUntil;
            }
        }
    }

    /// <summary>Asks before checking a credential; a locked-out key is refused without looking at the credential.</summary>
    public ThrottleDecision Check(string account, string address)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var wait = Max(LockRemaining(AccountKey(account), now), LockRemaining(AddressKey(address), now));
            return wait > TimeSpan.Zero ? ThrottleDecision.LockedOut(wait) : ThrottleDecision.Allow;
        }
    }

    /// <summary>
    /// Records a failure; the result says whether this failure locked the account or address here. With several nodes the
    /// cluster's count is handed over without waiting: a lockout it starts arrives through the subscription.
    /// </summary>
    public ThrottleDecision RecordFailure(string account, string address)
    {
        var decision = RecordFailureHere(account, address, out _);
        if (_cluster is not null)
        {
            _ = CountInClusterAsync(account, address);
        }

        return decision;
    }

    private async Task CountInClusterAsync(string account, string address)
    {
        var now = _time.GetUtcNow();
        try
        {
            await _cluster!.CountFailureAsync(AccountKey(account), _options.AccountFailureLimit, _options.FailureWindow, _options.LockoutDuration, now);
            await _cluster.CountFailureAsync(AddressKey(address), _options.AddressFailureLimit, _options.FailureWindow, _options.LockoutDuration, now);
        }
        catch (Exception e)
        {
            LogClusterUnreachable(_log, e.Message);
        }
    }

    /// <param name="started">How many lockouts (0 to 2: the account's, the address's) this failure started here.</param>
    private ThrottleDecision RecordFailureHere(string account, string address, out int started)
    {
        var now = _time.GetUtcNow();
        LoginLockout? accountLocked, addressLocked;
        TimeSpan wait;
        lock (_gate)
        {
            if (_keys.Count > _sweepAt)
            {
                Sweep(now);
                _sweepAt = Math.Max(SweepThreshold, 2 * _keys.Count);
            }

            var a = Fail(AccountKey(account), _options.AccountFailureLimit, now, out accountLocked);
            var b = Fail(AddressKey(address), _options.AddressFailureLimit, now, out addressLocked);
            wait = Max(a, b);
        }

        started = (accountLocked is null ? 0 : 1) + (addressLocked is null ? 0 : 1);
        Interlocked.Add(ref _lockoutsStarted, started);

        // Outside the lock: the store only queues, but nothing else needs to wait for it.
        if (accountLocked is not null)
        {
            _lockouts?.Save(accountLocked);
        }

        if (addressLocked is not null)
        {
            _lockouts?.Save(addressLocked);
        }

        return wait > TimeSpan.Zero ? ThrottleDecision.LockedOut(wait) : ThrottleDecision.Allow;
    }

    /// <summary>A success clears the account's failures; the address keeps its count (one address may try many accounts).</summary>
    public void RecordSuccess(string account)
    {
        lock (_gate)
        {
            _keys.Remove(AccountKey(account));
        }

        _cluster?.ClearFailures(AccountKey(account));
    }

    private static string AccountKey(string account) => "a:" + account.ToLowerInvariant();

    private static string AddressKey(string address) => "ip:" + address;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private TimeSpan LockRemaining(string key, DateTimeOffset now) =>
        _keys.TryGetValue(key, out var state) && state.LockedUntil > now ? state.LockedUntil - now : TimeSpan.Zero;

    /// <param name="started">The lockout this failure started, to be stored; null when it started none.</param>
    private TimeSpan Fail(string key, int limit, DateTimeOffset now, out LoginLockout? started)
    {
        started = null;
        if (!_keys.TryGetValue(key, out var state))
        {
            state = new KeyState();
            _keys[key] = state;
        }

        state.Failures.Enqueue(now);
        while (state.Failures.Count > 0 && state.Failures.Peek() <= now - _options.FailureWindow)
        {
            state.Failures.Dequeue();
        }

        // Only the newest `limit` failures matter; keep the queue bounded whatever an attacker sends.
        while (state.Failures.Count > limit)
        {
            state.Failures.Dequeue();
        }

        if (state.Failures.Count >= limit)
        {
            state.LockedUntil = now + _options.LockoutDuration;
            state.Failures.Clear();
            started = new LoginLockout(key, state.LockedUntil);
        }

        return state.LockedUntil > now ? state.LockedUntil - now : TimeSpan.Zero;
    }

    private void Sweep(DateTimeOffset now)
    {
        var horizon = now - _options.FailureWindow;
        foreach (var (key, state) in _keys.ToArray())
        {
            if (state.LockedUntil <= now && (state.Failures.Count == 0 || state.Failures.Last() <= horizon))
            {
                _keys.Remove(key);
            }
        }
    }

    private sealed class KeyState
    {
        public Queue<DateTimeOffset> Failures { get; } = new();

        public DateTimeOffset LockedUntil { get; set; }
    }

    [LoggerMessage(EventId = 1030, Level = LogLevel.Warning, Message = "Shared login throttle unreachable ({Error}); this node's own counts decide")]
    private static partial void LogClusterUnreachable(ILogger logger, string error);
}
