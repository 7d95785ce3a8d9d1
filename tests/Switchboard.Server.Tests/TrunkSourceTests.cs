using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pbx.Trunks;
using Switchboard.Sip.Transport;

namespace Switchboard.Server.Tests;

/// <summary>
/// Which flows the PBX takes for a carrier's (trusted by address, without digest): CI found phone.htm's call from
/// loopback taken for a test carrier on 127.0.0.1, and billed to the carrier's domain.
/// </summary>
public sealed class TrunkSourceTests : IDisposable
{
    private readonly TempDataFolder _data = new("sb-trunk-source-");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_carrier_is_its_udp_address_and_port_or_a_tcp_or_tls_connection_from_its_address_but_never_a_websocket()
    {
        await using var host = await PbxHost.StartAsync(TestHostOptions.For(_data.Path));
        await host.Admin.CreateDomainAsync("example.com");
        await host.Admin.AddTrunkAsync(new Trunk(0, "example.com", "carrier", "127.0.0.1:5999", SipTransportKind.Udp, "pbx", false, 0), "carrier-pw");
        var trunks = host.Services.GetRequiredService<TrunkService>();
        var local = new IPEndPoint(IPAddress.Loopback, 5060);
        Trunk? From(SipTransportKind kind, int port) => trunks.FromSource(new SipFlow(kind, local, new IPEndPoint(IPAddress.Loopback, port)));

        Assert.Equal("carrier", From(SipTransportKind.Udp, 5999)?.Name);
        Assert.Null(From(SipTransportKind.Udp, 6000));
        Assert.Equal("carrier", From(SipTransportKind.Tcp, 41000)?.Name);
        Assert.Equal("carrier", From(SipTransportKind.Tls, 41001)?.Name);
        Assert.Null(From(SipTransportKind.Ws, 41002));
        Assert.Null(From(SipTransportKind.Wss, 41003));
        Assert.Null(trunks.FromSource(new SipFlow(SipTransportKind.Tcp, local, new IPEndPoint(IPAddress.Parse("127.0.0.2"), 41000))));
    }
}
