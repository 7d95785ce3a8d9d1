using System.Net;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Tests.Registrar;

/// <summary>A SIP WebSocket bound to an extension by the web login (phone.htm, docs/phone.md) speaks for it alone, without digest.</summary>
public class SipFlowBindingTests
{
    private const string Contact = "<sip:x@abc.invalid;transport=ws>";
    private static readonly SipFlow Ws = new(SipTransportKind.Ws, new IPEndPoint(IPAddress.Loopback, 8080), new IPEndPoint(IPAddress.Parse("192.0.2.20"), 50123), 11);

    [Fact]
    public async Task A_bound_connection_registers_its_extension_without_a_challenge()
    {
        var h = new RegistrarHarness();
        var hundred = await h.Directory.FindExtensionAsync(RegistrarHarness.Domain, "100");
        using var binding = h.Bindings.Bind(secure: false, Ws.Remote, hundred!);

        var phone = h.NewPhone(flow: Ws);
        var ok = await phone.SendAsync(phone.Build([Contact]));

        Assert.Equal(200, ok.StatusCode);
        Assert.Equal(1, h.Location.Count);
        Assert.Empty(h.Failures.Failures);
    }

    [Fact]
    public async Task A_bound_connection_is_refused_another_extension_outright_and_it_is_not_a_password_guess()
    {
        var h = new RegistrarHarness();
        var hundred = await h.Directory.FindExtensionAsync(RegistrarHarness.Domain, "100");
        using var binding = h.Bindings.Bind(secure: false, Ws.Remote, hundred!);

        var other = h.NewPhone(user: "101", flow: Ws);
        var refused = await other.SendAsync(other.Build([Contact]));

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal("Not this connection's extension", refused.ReasonPhrase);
        Assert.Equal(0, h.Location.Count);
        Assert.Equal("other_extension", Assert.Single(h.Failures.Failures).Reason);
        Assert.True(h.Throttle.Check("101@" + RegistrarHarness.Domain, Ws.Remote.Address.ToString()).Allowed);
    }

    [Fact]
    public async Task Once_the_binding_ends_or_on_another_connection_digest_is_asked_as_ever()
    {
        var h = new RegistrarHarness();
        var hundred = await h.Directory.FindExtensionAsync(RegistrarHarness.Domain, "100");
        var binding = h.Bindings.Bind(secure: false, Ws.Remote, hundred!);

        var elsewhere = h.NewPhone(flow: Ws with { Remote = new IPEndPoint(Ws.Remote.Address, 50124) });
        Assert.Equal(401, (await elsewhere.SendAsync(elsewhere.Build([Contact]))).StatusCode);
        var secure = h.NewPhone(flow: Ws with { Transport = SipTransportKind.Wss });
        Assert.Equal(401, (await secure.SendAsync(secure.Build([Contact]))).StatusCode);

        binding.Dispose();
        Assert.Equal(0, h.Bindings.Count);
        var phone = h.NewPhone(flow: Ws);
        Assert.Equal(401, (await phone.SendAsync(phone.Build([Contact]))).StatusCode);
    }
}
