using Switchboard.Pbx.Calls;
using Switchboard.Server.Hosting;
using Switchboard.Storage;
using Switchboard.Storage.Postgres;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Server.Tests;

/// <summary>
/// Issue 12, part 1, end to end: the PBX started with <c>--store</c> naming a PostgreSQL database (a throwaway cluster)
/// keeps its directory there and writes a real call's record there, not in the data folder's SQLite file.
/// </summary>
public sealed class PostgresStoreTests : IDisposable
{
    private const string SipPassword = "sip-secret-7";
    private readonly TempDataFolder _data = new("sb-pg-store-");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_sip_call_through_a_pbx_on_postgresql_leaves_its_record_in_postgresql()
    {
        var store = await PostgresCluster.CreateDatabaseAsync("sb_e2e");

        // The admin CLI's way in: the data folder (for secrets.key) and the store, migrated on open.
        using (var data = await DataFolder.OpenAsync(_data.Path, store))
        {
            Assert.IsType<PostgresDatabase>(data.Database);
            await using var directory = data.Directory(TimeProvider.System);
            await directory.CreateDomainAsync("example.com");
            await directory.CreateExtensionAsync(new Pbx.Directory.NewExtension("example.com", "200", "Carol", "web-secret-7", SipPassword));
        }

        await using (var host = await PbxHost.StartAsync(TestHostOptions.For(_data.Path) with { Store = store }))
        {
            var call = await SippCaller.CallAsync(host.SipUdpPort!.Value, "*43", SipPassword, 1, _data.Path);
            Assert.True(call.ExitCode == 0, $"SIPp: {call.Output}");
        }

        // The host has stopped, so its writer has committed; read back through a connection of our own.
        using var postgres = new PostgresDatabase(store);
        var record = Assert.Single(await new SqlCallRecordStore(postgres).ListAsync(10));
        Assert.Equal("200@example.com", record.From);
        Assert.Equal("service:echo", record.Route);
        Assert.Equal(CallEndReason.Hangup.ToCode(), record.Reason);
        Assert.False(File.Exists(Path.Combine(_data.Path, "switchboard.db")), "the SQLite file must not be made when a PostgreSQL store is given");
    }
}
