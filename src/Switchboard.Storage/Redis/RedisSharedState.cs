using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Switchboard.Storage.Redis;

/// <summary>
/// One connection to the Redis that several PBX nodes share (docs/scale-out.md, "Redis"), and the prefix every key and
/// channel of this PBX starts with, so one Redis can serve other software too. StackExchange.Redis multiplexes every
/// command of the process over this one connection and reconnects by itself.
/// </summary>
public sealed class RedisSharedState : IAsyncDisposable
{
    private RedisSharedState(ConnectionMultiplexer connection, string prefix)
    {
        Connection = connection;
        Prefix = prefix;
    }

    internal ConnectionMultiplexer Connection { get; }

    internal IDatabase Database => Connection.GetDatabase();

    /// <summary>What every key and channel name starts with (<c>switchboard:</c> by default).</summary>
    public string Prefix { get; }

    /// <summary>
    /// Connects with a StackExchange.Redis configuration string (<c>127.0.0.1:6379,password=...</c>). Waits for the
    /// first connection so that a wrong address fails the start with Redis's own message rather than later calls.
    /// </summary>
    public static async Task<RedisSharedState> ConnectAsync(string configuration, string prefix = "switchboard:")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 5000);
        options.ClientName ??= "switchboard";
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        return new RedisSharedState(connection, prefix);
    }

    /// <summary>Logs the connection's losses and returns (the host's logging exists only after the connection).</summary>
    public void LogConnectionTo(ILogger logger)
    {
        Connection.ConnectionFailed += (_, e) => RedisLog.ConnectionFailed(logger, e.EndPoint, e.FailureType);
        Connection.ConnectionRestored += (_, e) => RedisLog.ConnectionRestored(logger, e.EndPoint);
    }

    internal RedisKey Key(string kind, string name) => Prefix + kind + ":" + name;

    internal RedisChannel Channel(string name) => RedisChannel.Literal(Prefix + name);

    /// <summary>
    /// The string values under <c>PREFIXkind:</c>, each with the rest of its key's name: SCAN on every primary (never KEYS,
    /// which blocks Redis while it walks the whole key space). A key that expired between SCAN and GET is skipped.
    /// </summary>
    internal async IAsyncEnumerable<(string Name, string Value)> ScanStringsAsync(string kind,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var prefix = Key(kind, "").ToString();
        foreach (var server in Connection.GetServers())
        {
            if (server.IsReplica)
            {
                continue;
            }

            await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 500).WithCancellation(ct))
            {
                var value = await Database.StringGetAsync(key);
                if (value.HasValue)
                {
                    yield return (key.ToString()[prefix.Length..], value.ToString());
                }
            }
        }
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
