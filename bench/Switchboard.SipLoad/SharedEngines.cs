using Switchboard.Storage.Tests.Engines;

namespace Switchboard.SipLoad;

/// <summary>
/// With <c>--cluster-store shared</c>: the one PostgreSQL and the one Redis every node of the cluster uses, as in a real
/// cluster (docs/scale-out.md), throwaway servers on loopback started by the same code the tests use (linked from
/// <c>tests/Switchboard.Storage.Tests/Engines</c>): <c>initdb</c> and <c>pg_ctl</c> into a temporary folder (as the
/// <c>postgres</c> user when run as root), <c>redis-server</c> without persistence; both stopped by PID when this tool
/// exits, and by a watchdog if it goes without its exit handlers.
/// </summary>
internal sealed record SharedEngines(string Store, string Redis, int PostgresPid, int RedisPid)
{
    public static async Task<SharedEngines> StartAsync()
    {
        var postgres = await PostgresCluster.SharedAsync();
        var store = await PostgresCluster.CreateDatabaseAsync("sipload");
        var redis = await RedisServer.SharedAsync();
        Console.WriteLine($"shared engines: PostgreSQL PID {postgres.Pid} on 127.0.0.1:{postgres.Port}, Redis PID {redis.Process.Id} at {redis.Configuration}");
        return new SharedEngines(store, redis.Configuration, postgres.Pid, redis.Process.Id);
    }

    /// <summary>The postmaster and its backends (one per node connection), which it forks.</summary>
    public TimeSpan PostgresCpu => ProcCpu.Of(ProcCpu.WithChildren(PostgresPid));

    public TimeSpan RedisCpu => ProcCpu.Of([RedisPid]);

    /// <summary>What each node's <c>serve</c> is given besides its own ports.</summary>
    public IReadOnlyList<string> ServeArguments => ["--store", Store, "--redis", Redis];
}
