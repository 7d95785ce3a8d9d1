using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Tests.Registrar;

/// <summary>RFC 3327: a REGISTER through a proxy that adds Path (Kamailio's add_path_received) has it stored and used.</summary>
public class PathTests
{
    private const string Contact = "<sip:100@192.0.2.10:5070>";
    private const string ProxyPath = "<sip:127.0.0.1:5090;lr;received=sip:192.0.2.10:5070>";

    [Fact]
    public async Task The_path_is_stored_with_the_binding_and_returned_to_a_phone_that_supports_it()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        phone.ExtraHeaders.Add(("Path", ProxyPath));
        phone.ExtraHeaders.Add(("Supported", "path, outbound"));

        var ok = await phone.RegisterAsync([Contact]);

        Assert.Equal(200, ok.StatusCode);
        Assert.Equal([ProxyPath], ok.GetHeaderValues("Path"));
        var binding = Assert.Single(h.Location.Lookup(1, h.Time.GetUtcNow()));
        Assert.Equal([ProxyPath], binding.Path);

        // The store keeps what a restart needs, and the call engine gets the Path as the Route set to send.
        Assert.Equal([ProxyPath], Assert.Single(h.Stored.Saved[^1].Bindings).Path);
        var services = new Pbx.Sip.RegistrarSipServices(h.Registrar, h.Authenticator, h.Location, h.Time);
        Assert.Equal([ProxyPath], Assert.Single(services.Lookup(1)).Route);
    }

    [Fact]
    public async Task A_phone_that_did_not_say_it_supports_path_is_not_told_it_but_it_is_still_used()
    {
        var h = new RegistrarHarness();
        var phone = h.NewPhone();
        phone.ExtraHeaders.Add(("Path", ProxyPath));

        var ok = await phone.RegisterAsync([Contact]);

        Assert.Empty(ok.GetHeaderValues("Path"));
        Assert.Equal([ProxyPath], Assert.Single(h.Location.Lookup(1, h.Time.GetUtcNow())).Path);
    }

    [Fact]
    public async Task Without_a_path_there_is_no_route_set()
    {
        var h = new RegistrarHarness();
        await h.NewPhone().RegisterAsync([Contact]);
        Assert.Null(Assert.Single(h.Location.Lookup(1, h.Time.GetUtcNow())).Path);
    }
}
