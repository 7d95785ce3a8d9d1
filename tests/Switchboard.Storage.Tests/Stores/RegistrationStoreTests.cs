using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;
using Switchboard.Storage;

using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

public abstract class RegistrationStoreTests(TestEngine engine) : StoreTests(engine)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly SipFlow Udp = new(SipTransportKind.Udp, new IPEndPoint(IPAddress.Loopback, 5060), IPEndPoint.Parse("192.0.2.7:40000"));
    private async Task<long> ExtensionAsync(string number)
    {
        var directory = new SqlDirectoryStore(Temp.Database, Temp.Secrets, TimeProvider.System);
        if (await directory.FindDomainAsync("example.com") is null)
        {
            await directory.CreateDomainAsync("example.com");
        }

        return (await directory.CreateExtensionAsync(new NewExtension("example.com", number, number, "w", "s"))).Id;
    }

    private static ContactBinding Binding(long extensionId, string contact, DateTimeOffset expiresAt, string? instance = null) =>
        new(extensionId, SipUri.Parse(contact), Udp, expiresAt, instance, instance is null ? null : 1, "call-1", 7, "Phone/1.0");

    private SqlRegistrationStore NewStore() => new(Temp.Database, NullLogger<SqlRegistrationStore>.Instance);

    [Fact]
    public async Task The_latest_bindings_of_each_extension_come_back_unexpired_with_every_field()
    {
        await Temp.Database.MigrateAsync();
        var alice = await ExtensionAsync("100");
        var bob = await ExtensionAsync("101");
        await using (var store = NewStore())
        {
            store.Save(alice, [Binding(alice, "sip:100@192.0.2.7:40000", Now.AddMinutes(1))]);
            store.Save(alice, [Binding(alice, "sip:100@192.0.2.7:40000", Now.AddMinutes(2)), Binding(alice, "sip:100@192.0.2.8", Now.AddHours(1), "urn:uuid:a")]);
            store.Save(bob, [Binding(bob, "sip:101@192.0.2.9", Now.AddMinutes(3))]);
            store.Save(bob, []);
        }

        await using var again = NewStore();
        var loaded = await again.LoadAsync(Now);
        Assert.Equal([Binding(alice, "sip:100@192.0.2.7:40000", Now.AddMinutes(2)), Binding(alice, "sip:100@192.0.2.8", Now.AddHours(1), "urn:uuid:a")],
            loaded.Select(b => b with { Flow = Udp }));
        Assert.All(loaded, b => Assert.Equal((SipTransportKind.Udp, Udp.Remote), (b.Flow.Transport, b.Flow.Remote)));
        Assert.Single(await again.LoadAsync(Now.AddMinutes(2)));
    }

    [Fact]
    public async Task A_registrations_path_comes_back_after_a_restart()
    {
        // RFC 3327: calls to a phone that registered through a proxy must go through it; without the Path a restarted
        // node would send them straight to the proxy's received address instead.
        await Temp.Database.MigrateAsync();
        var alice = await ExtensionAsync("100");
        string[] path = ["<sip:127.0.0.1:5090;lr;received=sip:192.0.2.5:5062>", "<sip:edge.example;lr>"];
        await using (var store = NewStore())
        {
            store.Save(alice, [Binding(alice, "sip:100@192.0.2.5:5062", Now.AddMinutes(5)) with { Path = path }, Binding(alice, "sip:100@192.0.2.6", Now.AddMinutes(5))]);
        }

        await using var again = NewStore();
        var loaded = await again.LoadAsync(Now);
        Assert.Equal(2, loaded.Count);
        Assert.Equal(path, loaded[0].Path);
        Assert.True(loaded[1].Path is null or { Count: 0 });
    }
}

public sealed class RegistrationStoreOnSqlite() : RegistrationStoreTests(TestEngine.Sqlite);

public sealed class RegistrationStoreOnPostgres() : RegistrationStoreTests(TestEngine.Postgres);
