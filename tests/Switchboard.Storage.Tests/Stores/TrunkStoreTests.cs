using System.Text;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Trunks;
using Switchboard.Sip.Transport;
using Switchboard.Storage;

using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

public abstract class TrunkStoreTests(TestEngine engine) : StoreTests(engine)
{
    private static Trunk Carrier(string name, string proxy = "sip.carrier.test:5060") =>
        new(0, "demo.local", name, proxy, SipTransportKind.Udp, "4930123", Register: true, 0, "carrier.test", "4930123", "4930123",
            new Dictionary<string, string> { ["4930123456"] = "100", ["4930123457"] = "*43" });

    [Fact]
    public async Task Trunks_keep_their_order_settings_and_dids_and_the_password_is_sealed_at_rest()
    {
        var temp = Temp;
        await temp.Database.MigrateAsync();
        await new SqlDirectoryStore(temp.Database, temp.Secrets, TimeProvider.System).CreateDomainAsync("demo.local");
        var store = new SqlTrunkStore(temp.Database, temp.Secrets, TimeProvider.System);

        var first = await store.AddAsync(Carrier("main"), "Carrier-Secret-1");
        var second = await store.AddAsync(Carrier("backup", "10.1.2.3:5080"), "Carrier-Secret-2");
        Assert.Equal(0, first.Position);
        Assert.Equal(1, second.Position);

        var listed = await store.ListAsync("demo.local");
        Assert.Equal(["main", "backup"], listed.Select(t => t.Name));
        Assert.Equal("100", listed[0].DidMap["4930123456"]);
        Assert.Equal("*43", listed[0].DidMap["4930123457"]);
        Assert.Equal("carrier.test", listed[0].SipDomain);
        Assert.Equal(5080, listed[1].Port);
        Assert.Equal("Carrier-Secret-2", await store.GetPasswordAsync(second.Id));

        var file = Encoding.Latin1.GetString(await temp.ReadStoredBytesAsync());
        Assert.DoesNotContain("Carrier-Secret", file, StringComparison.Ordinal);

        await Assert.ThrowsAsync<DirectoryConflictException>(() => store.AddAsync(Carrier("main"), "x"));
        Assert.True(await store.RemoveAsync("demo.local", "main"));
        Assert.Equal(["backup"], (await store.ListAsync(null)).Select(t => t.Name));
    }

    [Theory]
    [InlineData("bad name", "sip.carrier.test", "--name")]
    [InlineData("main", "sip.carrier.test:99999", "--proxy")]
    [InlineData("main", "not a host", "--proxy")]
    public void Validation_names_the_bad_field(string name, string proxy, string field)
    {
        var problem = TrunkValidation.Check(Carrier(name, proxy));
        Assert.NotNull(problem);
        Assert.StartsWith(field, problem, StringComparison.Ordinal);
    }
}

public sealed class TrunkStoreOnSqlite() : TrunkStoreTests(TestEngine.Sqlite);

public sealed class TrunkStoreOnPostgres() : TrunkStoreTests(TestEngine.Postgres);
