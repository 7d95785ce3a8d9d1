using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;

namespace Switchboard.Storage.Redis;

/// <summary>
/// The toll-fraud counters in Redis (docs/scale-out.md, "Redis"). Per extension and per domain, one sorted set holds the
/// calls up now (member: the call's lease, score: when the lease lapses) and one the starts of the last minute (score: the
/// start). A Lua script prunes, checks every limit in the order the single node does, and counts, in one step, so two
/// nodes racing for the last place cannot both win. A node renews its leases every <see cref="RenewEvery"/>; the leases of
/// a node that died lapse after <see cref="LeaseLifetime"/> and free their places.
/// </summary>
public sealed class RedisCallLimits : IClusterCallLimits, IDisposable
{
    public static readonly TimeSpan LeaseLifetime = TimeSpan.FromSeconds(90);

    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);

    // KEYS: up(ext), up(domain), starts(ext), starts(domain). ARGV: now ms, window ms, lease, lease lapses at (ms),
    // ext concurrent, domain concurrent, ext per minute, domain per minute (-1: no limit), exempt (1/0), check only (1/0).
    // Returns 0 (counted or allowed) or the refusal: 1 ext concurrent, 2 domain concurrent, 3 ext per minute, 4 domain per minute.
    private const string AcquireScript = """
        local now = tonumber(ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[2]))
        redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[2]))
        if ARGV[9] ~= '1' then
          for i = 1, 4 do
            local limit = tonumber(ARGV[4 + i])
            if limit >= 0 and redis.call('ZCARD', KEYS[i]) >= limit then
              return i
            end
          end
        end
        if ARGV[10] == '1' then
          return 0
        end
        local lapses = tonumber(ARGV[4])
        redis.call('ZADD', KEYS[1], lapses, ARGV[3])
        redis.call('ZADD', KEYS[2], lapses, ARGV[3])
        redis.call('ZADD', KEYS[3], now, ARGV[3])
        redis.call('ZADD', KEYS[4], now, ARGV[3])
        redis.call('PEXPIREAT', KEYS[1], lapses)
        redis.call('PEXPIREAT', KEYS[2], lapses)
        redis.call('PEXPIRE', KEYS[3], ARGV[2])
        redis.call('PEXPIRE', KEYS[4], ARGV[2])
        return 0
        """;

    // KEYS: up(ext), up(domain). ARGV: lease, lapses at (ms). Only a lease still counted is renewed (XX).
    private const string RenewScript = """
        redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[1])
        redis.call('ZADD', KEYS[2], 'XX', ARGV[2], ARGV[1])
        redis.call('PEXPIREAT', KEYS[1], ARGV[2])
        redis.call('PEXPIREAT', KEYS[2], ARGV[2])
        return 0
        """;

    private readonly RedisSharedState _redis;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, Extension> _held = new(StringComparer.Ordinal);
    private readonly ITimer _renewal;

    public RedisCallLimits(RedisSharedState redis, TimeProvider time, ILogger<RedisCallLimits> log)
    {
        _redis = redis;
        _time = time;
        _log = log;
        _renewal = time.CreateTimer(_ => _ = RenewAsync(), null, RenewEvery, RenewEvery);
    }

    /// <summary>The leases this node holds now (calls it counted that have not ended).</summary>
    public int Held => _held.Count;

    public async Task<PolicyDenial?> CheckAsync(Extension caller, CallLimits extension, CallLimits domain, DateTimeOffset now, CancellationToken ct = default) =>
        await RunAsync(caller, extension, domain, exempt: false, checkOnly: true, leaseId: "", now, ct);

    public async Task<PolicyDenial?> TryAcquireAsync(Extension caller, CallLimits extension, CallLimits domain, bool exempt, string leaseId,
        DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        var denial = await RunAsync(caller, extension, domain, exempt, checkOnly: false, leaseId, now, ct);
        if (denial is null)
        {
            _held[leaseId] = caller;
        }

        return denial;
    }

    public void Release(Extension caller, string leaseId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        _held.TryRemove(leaseId, out _);
        try
        {
            var db = _redis.Database;
            db.SortedSetRemove(UpKey("e", caller.Account), leaseId, CommandFlags.FireAndForget);
            db.SortedSetRemove(UpKey("d", caller.Domain), leaseId, CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException)
        {
            // Not renewed any more, the lease lapses by itself within LeaseLifetime.
            RedisLog.ReleaseFailed(_log, e.Message);
        }
    }

    /// <summary>Pushes back the lapse of every lease this node holds; run by the timer, and by tests.</summary>
    public async Task RenewAsync()
    {
        if (_held.IsEmpty)
        {
            return;
        }

        var lapses = (_time.GetUtcNow() + LeaseLifetime).ToUnixTimeMilliseconds();
        var batch = _redis.Database.CreateBatch();
        var sent = new List<Task>(_held.Count);
        foreach (var (leaseId, caller) in _held)
        {
            sent.Add(batch.ScriptEvaluateAsync(RenewScript, [UpKey("e", caller.Account), UpKey("d", caller.Domain)], [leaseId, lapses]));
        }

        batch.Execute();
        try
        {
            await Task.WhenAll(sent);
        }
        catch (Exception e)
        {
            RedisLog.RenewFailed(_log, sent.Count, e.Message);
        }
    }

    public void Dispose() => _renewal.Dispose();

    private async Task<PolicyDenial?> RunAsync(Extension caller, CallLimits extension, CallLimits domain, bool exempt, bool checkOnly,
        string leaseId, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var nowMs = now.ToUnixTimeMilliseconds();
        var result = await _redis.Database.ScriptEvaluateAsync(AcquireScript,
            [UpKey("e", caller.Account), UpKey("d", caller.Domain), StartsKey("e", caller.Account), StartsKey("d", caller.Domain)],
            [nowMs, (long)CallLimiter.Window.TotalMilliseconds, leaseId, (now + LeaseLifetime).ToUnixTimeMilliseconds(),
             Limit(extension.Concurrent), Limit(domain.Concurrent), Limit(extension.PerMinute), Limit(domain.PerMinute),
             exempt ? 1 : 0, checkOnly ? 1 : 0]).WaitAsync(ct);
        return (int)result switch
        {
            0 => null,
            1 => PolicyDenial.ExtensionConcurrent,
            2 => PolicyDenial.DomainConcurrent,
            3 => PolicyDenial.ExtensionPerMinute,
            _ => PolicyDenial.DomainPerMinute,
        };
    }

    private static long Limit(int? limit) => limit ?? -1;

    // Accounts and domains compare without case (as CallLimiter's tables do): one key whatever the spelling.
    private RedisKey UpKey(string kind, string name) => _redis.Key("calls-up-" + kind, name.ToLowerInvariant());

    private RedisKey StartsKey(string kind, string name) => _redis.Key("call-starts-" + kind, name.ToLowerInvariant());
}
