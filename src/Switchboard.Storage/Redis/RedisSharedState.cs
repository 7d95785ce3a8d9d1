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

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
