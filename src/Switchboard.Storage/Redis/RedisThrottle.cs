using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchboard.Pbx.Security;

namespace Switchboard.Storage.Redis;

/// <summary>
/// The login throttle's shared part in Redis (docs/scale-out.md, "Redis"). Per throttle key (<c>a:account</c> or
/// <c>ip:address</c>) a sorted set holds the failures of the window, scored by time; the one that reaches the limit
/// sets a lock key that expires with the lockout, and announces it on a channel every node listens to. The count, the
/// lock and the announcement are one Lua script, so two nodes counting at once cannot both miss the limit.
/// </summary>
public sealed class RedisThrottle : IClusterThrottle
{
    // KEYS[1] failures, KEYS[2] lock; ARGV: now ms, window ms, limit, lockout ms, member, channel, throttle key.
    private const string CountScript = """
        local now = tonumber(ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
        redis.call('ZADD', KEYS[1], now, ARGV[5])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
          local untilMs = now + tonumber(ARGV[4])
          redis.call('SET', KEYS[2], untilMs, 'PX', ARGV[4])
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[6], untilMs .. '|' .. ARGV[7])
          return untilMs
        end
        return 0
        """;

    private readonly RedisSharedState _redis;
    private readonly ILogger _log;

    public RedisThrottle(RedisSharedState redis, ILogger<RedisThrottle> log)
    {
        _redis = redis;
        _log = log;
    }

    public async Task<LoginLockout?> CountFailureAsync(string key, int limit, TimeSpan window, TimeSpan lockout, DateTimeOffset now, CancellationToken ct = default)
    {
        var member = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + ":" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        var result = await _redis.Database.ScriptEvaluateAsync(CountScript,
            [_redis.Key("fail", key), _redis.Key("lock", key)],
            [now.ToUnixTimeMilliseconds(), (long)window.TotalMilliseconds, limit, (long)lockout.TotalMilliseconds, member,
             (RedisValue)_redis.Channel("lockouts").ToString(), key]).WaitAsync(ct);
        var until = (long)result;
        return until == 0 ? null : new LoginLockout(key, DateTimeOffset.FromUnixTimeMilliseconds(until));
    }

    public async Task<TimeSpan> LockRemainingAsync(string key, DateTimeOffset now, CancellationToken ct = default)
    {
        var value = await _redis.Database.StringGetAsync(_redis.Key("lock", key)).WaitAsync(ct);
        if (!value.HasValue || !long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var untilMs))
        {
            return TimeSpan.Zero;
        }

        var remaining = DateTimeOffset.FromUnixTimeMilliseconds(untilMs) - now;
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    public void ClearFailures(string key)
    {
        try
        {
            _redis.Database.KeyDelete(_redis.Key("fail", key), CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException)
        {
            // The failures lapse with their window anyway.
            RedisLog.ClearFailed(_log, e.Message);
        }
    }

    public IDisposable Subscribe(Action<LoginLockout> onLockout)
    {
        ArgumentNullException.ThrowIfNull(onLockout);
        var queue = _redis.Connection.GetSubscriber().Subscribe(_redis.Channel("lockouts"));
        queue.OnMessage(message =>
        {
            if (Parse(message.Message.ToString()) is { } lockout)
            {
                onLockout(lockout);
            }
            else
            {
                RedisLog.BadLockoutMessage(_log, message.Message.ToString());
            }
        });
        return new ChannelSubscription(queue);
    }

    public async Task<IReadOnlyList<LoginLockout>> LoadActiveAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var found = new List<LoginLockout>();
        await foreach (var (key, value) in _redis.ScanStringsAsync("lock", ct))
        {
            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var untilMs) && DateTimeOffset.FromUnixTimeMilliseconds(untilMs) > now)
            {
                found.Add(new LoginLockout(key, DateTimeOffset.FromUnixTimeMilliseconds(untilMs)));
            }
        }

        return found;
    }

    /// <summary>A lockout announcement: <c>untilMs|key</c> (the key may itself contain <c>|</c>: only the first one splits).</summary>
    internal static LoginLockout? Parse(string message)
    {
        var bar = message.IndexOf('|', StringComparison.Ordinal);
        return bar > 0 && bar < message.Length - 1 &&
               long.TryParse(message.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var untilMs) && untilMs is > 0 and < 253402300799999
            ? new LoginLockout(message[(bar + 1)..], DateTimeOffset.FromUnixTimeMilliseconds(untilMs))
            : null;
    }
}
