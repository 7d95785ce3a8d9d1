using System.Net;
using Switchboard.Pbx.Cluster;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Messages;
using Switchboard.Pbx.Tests.Registrar;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Tests.Cluster;

/// <summary>
/// What a node shares of its registrations (docs/scale-out.md, "Calls across nodes"): UDP bindings as they are, bindings
/// over a connection it holds as reached through its own hop, and the withdrawal when that connection closes.
/// </summary>
public class HopPublicationTests
{
    private const string ContactUdp = "<sip:100@192.0.2.10:5070>";
    private const string ContactTcp = "<sip:100@192.0.2.11:40001;transport=tcp>";
    private static readonly IPEndPoint Hop = new(IPAddress.Parse("10.0.0.2"), 5060);

    [Fact]
    public async Task A_connection_binding_is_shared_as_a_udp_address_of_this_node_with_its_hop_route_first()
    {
        var shared = new RecordingSharedRegistrations();
        var h = new RegistrarHarness(shared: shared, cluster: new ClusterNodes { Own = Hop });
        await h.NewPhone(flow: RegistrarHarness.Udp).RegisterAsync([ContactUdp]);
        await h.NewPhone(flow: RegistrarHarness.Tcp).RegisterAsync([ContactTcp]);

        var (extension, bindings) = shared.Published[^1];
        Assert.Equal(1, extension);
        Assert.Equal(2, bindings.Count);
        Assert.All(bindings, b => Assert.Equal(SipTransportKind.Udp, b.Flow.Transport));

        var udp = Assert.Single(bindings, b => b.Contact.ToString() == "sip:100@192.0.2.10:5070");
        Assert.Equal(RegistrarHarness.Udp.Remote, udp.Flow.Remote);
        Assert.Null(udp.Path);

        var tcp = Assert.Single(bindings, b => b.Contact.ToString() == "sip:100@192.0.2.11:40001;transport=tcp");
        Assert.Equal(Hop, tcp.Flow.Remote);
        Assert.Equal(["<sip:10.0.0.2:5060;lr;sbhop>"], tcp.Path);

        // The store still keeps UDP bindings only: a connection does not outlive the process.
        Assert.Single(h.Stored.Saved[^1].Bindings);
    }

    [Fact]
    public async Task A_connection_binding_is_withdrawn_when_its_connection_closes()
    {
        var shared = new RecordingSharedRegistrations();
        var h = new RegistrarHarness(shared: shared, cluster: new ClusterNodes { Own = Hop });
        await h.NewPhone(flow: RegistrarHarness.Tcp).RegisterAsync([ContactTcp]);
        Assert.Single(shared.Published[^1].Bindings);

        Assert.Equal(1, h.Registrar.OnFlowClosed(RegistrarHarness.Tcp));
        Assert.Equal((1L, 0), (shared.Published[^1].ExtensionId, shared.Published[^1].Bindings.Count));
    }

    [Fact]
    public async Task Without_an_address_of_its_own_a_node_shares_its_udp_bindings_only()
    {
        var shared = new RecordingSharedRegistrations();
        var h = new RegistrarHarness(shared: shared, cluster: new ClusterNodes());
        await h.NewPhone(flow: RegistrarHarness.Udp).RegisterAsync([ContactUdp]);
        await h.NewPhone(flow: RegistrarHarness.Tcp).RegisterAsync([ContactTcp]);

        var only = Assert.Single(shared.Published[^1].Bindings);
        Assert.Equal(RegistrarHarness.Udp.Remote, only.Flow.Remote);
    }

    [Fact]
    public void A_binding_that_came_through_a_proxy_keeps_its_path_after_the_hop_route()
    {
        var binding = new ContactBinding(1, SipUri.Parse("sip:100@192.0.2.11:40001;transport=tcp"), RegistrarHarness.Tcp,
            DateTimeOffset.UnixEpoch.AddHours(1), null, null, "c", 1, null, ["<sip:proxy.example;lr>"]);
        var shared = Assert.Single(HopBindings.ForSharing([binding], Hop));
        Assert.Equal(["<sip:10.0.0.2:5060;lr;sbhop>", "<sip:proxy.example;lr>"], shared.Path);
    }
}
