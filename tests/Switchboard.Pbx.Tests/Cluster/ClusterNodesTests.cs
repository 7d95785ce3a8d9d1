using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Cluster;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Sip;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Tests.Cluster;

public sealed class ClusterNodesTests
{
    private static readonly IPEndPoint NodeA = new(IPAddress.Parse("127.0.0.2"), 5060);
    private static readonly IPEndPoint NodeB = new(IPAddress.Parse("127.0.0.3"), 5060);
    private static readonly IPEndPoint Phone = new(IPAddress.Parse("127.0.0.9"), 5060);

    [Fact]
    public void A_node_is_known_by_its_sip_address_and_by_its_host_on_any_port_until_the_list_is_replaced()
    {
        var nodes = new ClusterNodes();
        nodes.Replace([NodeA, NodeB]);

        Assert.True(nodes.IsNode(NodeA));
        Assert.False(nodes.IsNode(new IPEndPoint(NodeA.Address, 5070)));
        Assert.True(nodes.IsNodeAddress(NodeA.Address));
        Assert.False(nodes.IsNodeAddress(Phone.Address));

        nodes.Replace([NodeB]);
        Assert.False(nodes.IsNodeAddress(NodeA.Address));
        Assert.True(nodes.IsNodeAddress(NodeB.Address));
    }

    [Fact]
    public void The_flood_guard_does_not_limit_another_node_and_still_limits_anyone_else()
    {
        // One node's hop carries the calls of every phone the other holds: a burst from it is not a flood.
        var nodes = new ClusterNodes();
        nodes.Replace([NodeA]);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var gate = new SipFloodGate(new SipFloodOptions { Rate = 10 }, time, NullLogger<SipFloodGate>.Instance)
        {
            Trusted = nodes.IsNodeAddress,
        };
        var local = new IPEndPoint(IPAddress.Loopback, 5060);
        var request = "OPTIONS sip:x SIP/2.0\r\n"u8.ToArray();

        var fromNode = Enumerable.Range(0, 100).Count(_ => gate.Admit(new SipFlow(SipTransportKind.Udp, local, NodeA), request));
        var fromPhone = Enumerable.Range(0, 100).Count(_ => gate.Admit(new SipFlow(SipTransportKind.Udp, local, Phone), request));

        Assert.Equal(100, fromNode);
        Assert.InRange(fromPhone, 1, 20);
    }
}
