using System.Diagnostics;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Server.Hosting;
using Switchboard.Storage;
using Switchboard.Storage.Postgres;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Server.Tests;

/// <summary>
/// Issue 12 ("kill -9 node A ... the records of the calls that died say so"), with real processes: node A is a server
/// process on a PostgreSQL database another node (B, in this process) shares. A SIPp call to A's echo is up when A is
/// killed; B, which keeps taking calls, records that call as interrupted by itself once A has missed three heartbeats,
/// and a call B takes meanwhile is left alone (docs/scale-out.md, "When a node dies").
/// </summary>
public sealed class NodeDeathTests : IDisposable
{
    private const string CallerPassword = "sip-secret-7";
    private readonly TempDataFolder _nodeA = new("sb-death-a-");
    private readonly TempDataFolder _nodeB = new("sb-death-b-");

    public void Dispose()
    {
        _nodeA.Dispose();
        _nodeB.Dispose();
    }

    [Fact]
    public async Task The_calls_of_a_node_killed_with_kill_9_are_recorded_as_interrupted_by_the_node_that_lives()
    {
        var store = await PostgresCluster.CreateDatabaseAsync("sb_death");
        using (var data = await DataFolder.OpenAsync(_nodeA.Path, store))
        {
            await using var directory = data.Directory(TimeProvider.System);
            await directory.CreateDomainAsync("example.com");
            await directory.CreateExtensionAsync(new NewExtension("example.com", "200", "Carol", "web-secret-7", CallerPassword));
        }

        File.Copy(Path.Combine(_nodeA.Path, "secrets.key"), Path.Combine(_nodeB.Path, "secrets.key"));
        using var database = new PostgresDatabase(store);
        await using var nodeB = await PbxHost.StartAsync(TestHostOptions.For(_nodeB.Path) with { Store = store });

        await using (var nodeA = await ServerProcess.StartAsync(_nodeA.Path, "example.com", "46400-46449", "--store", store))
        {
            using var held = SippCaller.StartHeld(nodeA.SipPort, "*43", CallerPassword, 1, TimeSpan.FromMinutes(10), _nodeA.Path);
            try
            {
                await UntilAsync(async () => await CountAsync(database, "SELECT count(*) FROM live_calls WHERE answered_at IS NOT NULL;") == 1,
                    TimeSpan.FromSeconds(30), () => $"A's call was never marked up.\nA: {nodeA.Output}");
                await nodeA.KillAsync();
            }
            finally
            {
                if (!held.HasExited)
                {
                    held.Kill();
                    held.WaitForExit(TimeSpan.FromSeconds(10));
                }
            }
        }

        // B keeps working, and its own call, up while it looks, is not taken for a dead one.
        using var onB = SippCaller.StartHeld(nodeB.SipUdpPort!.Value, "*43", CallerPassword, 1, TimeSpan.FromMinutes(10), _nodeB.Path);
        try
        {
            // Three missed heartbeats (5 s each), then B's writer looks within one more.
            await UntilAsync(async () => (await new SqlCallRecordStore(database).ListAsync(10)).Any(r => r.Reason == CallEndReason.Interrupted.ToCode()),
                TimeSpan.FromSeconds(45), () => "A's call was not recorded as interrupted");
            var record = Assert.Single(await new SqlCallRecordStore(database).ListAsync(10));
            Assert.Equal(("*43", "interrupted", "pbx"), (record.Destination, record.Reason, record.EndedBy));
            Assert.NotNull(record.AnsweredAt);
            await UntilAsync(async () => await CountAsync(database, "SELECT count(*) FROM live_calls;") == 1,
                TimeSpan.FromSeconds(30), () => "B's own call should be the one marker left");
        }
        finally
        {
            if (!onB.HasExited)
            {
                onB.Kill();
                onB.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
    }

    private static async Task<long> CountAsync(StoreDatabase database, string sql)
    {
        await using var c = await database.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan bound, Func<string> failure)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < bound)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        Assert.Fail(failure());
    }
}
