using Switchboard.Pbx.Registrar;

namespace Switchboard.Pbx.Tests.Registrar;

/// <summary>What the registrar keeps across a restart (docs/sip-registrar.md, "Restarts"): UDP bindings, never a connection's.</summary>
public class RegistrationPersistenceTests
{
    private const string UdpContact = "<sip:100@192.0.2.10:5070>";
    private const string TcpContact = "<sip:100@192.0.2.11:40001;transport=tcp>";

    [Fact]
    public async Task Each_change_hands_the_extensions_udp_bindings_to_the_store_and_a_new_location_service_gets_them_back()
    {
        var h = new RegistrarHarness();
        await h.NewPhone().RegisterAsync([UdpContact], expires: 600);
        await h.NewPhone(flow: RegistrarHarness.Tcp).RegisterAsync([TcpContact]);

        Assert.Equal(2, h.Location.Lookup(1, h.Time.GetUtcNow()).Count);
        var (extensionId, stored) = h.Stored.Saved[^1];
        Assert.Equal(1, extensionId);
        var udp = Assert.Single(stored);
        Assert.Equal(RegistrarHarness.Udp, udp.Flow);
        Assert.Equal(h.Time.GetUtcNow().AddSeconds(600), udp.ExpiresAt);

        var restarted = new LocationService();
        restarted.Restore(await h.Stored.LoadAsync(h.Time.GetUtcNow()));
        Assert.Equal([udp], restarted.Lookup(1, h.Time.GetUtcNow()));
        Assert.Empty(restarted.Lookup(1, h.Time.GetUtcNow().AddSeconds(600)));
    }

    [Fact]
    public async Task Removing_every_binding_empties_the_stored_ones()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        await phone.RegisterAsync([UdpContact]);

        Assert.Equal(200, (await phone.RegisterAsync(["*"], expires: 0)).StatusCode);

        Assert.Empty(h.Stored.Saved[^1].Bindings);
        Assert.Empty(await h.Stored.LoadAsync(h.Time.GetUtcNow()));
    }
}
