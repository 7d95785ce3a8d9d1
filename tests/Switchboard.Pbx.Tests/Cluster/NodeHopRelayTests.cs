using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Cluster;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Tests.Cluster;

/// <summary>
/// The hop between nodes on an in-memory network (docs/scale-out.md, "Calls across nodes"; docs/security.md, "The hop
/// between nodes"): node A calls a phone node B holds over TCP through B's hop, and the rules that keep the hop from being
/// a relay: only nodes, only with the key's proof, only to a connection B's own registrar holds, never handed on.
/// </summary>
public sealed class NodeHopRelayTests : IAsyncDisposable
{
    private const string PhoneContact = "sip:100@10.0.0.3:5062;transport=tcp";
    private static readonly IPEndPoint AddressA = new(IPAddress.Parse("10.0.0.1"), 5060);
    private static readonly IPEndPoint AddressB = new(IPAddress.Parse("10.0.0.2"), 5060);
    private static readonly IPEndPoint AddressPhone = new(IPAddress.Parse("10.0.0.3"), 5062);
    private static readonly IPEndPoint AddressOutsider = new(IPAddress.Parse("10.0.0.9"), 5060);
    private static readonly IPEndPoint AddressElsewhere = new(IPAddress.Parse("10.0.0.5"), 5060);

    private readonly InMemorySipNetwork _network = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private readonly NodeHopKey _key = new(RandomNumberGenerator.GetBytes(32));
    private readonly LocationService _locations = new();
    private readonly InMemorySipEndpoint _a;
    private readonly InMemorySipEndpoint _phone;
    private readonly InMemorySipEndpoint _outsider;
    private readonly Inbox _atA = new();
    private readonly Inbox _atPhone = new();
    private readonly Inbox _atOutsider = new();
    private readonly Inbox _atElsewhere = new();
    private readonly Inbox _unrelayed = new();

    public NodeHopRelayTests()
    {
        _a = Attach("A", AddressA, _atA);
        _phone = Attach("phone", AddressPhone, _atPhone);
        _outsider = Attach("outsider", AddressOutsider, _atOutsider);
        Attach("elsewhere", AddressElsewhere, _atElsewhere);
        var b = _network.AddEndpoint("B", AddressB);
        var nodes = new ClusterNodes { Own = AddressB };
        nodes.Replace([AddressA, AddressB]);
        var relay = new NodeHopRelay(b, _locations, nodes, _key, _time, () => false, NullLogger<NodeHopRelay>.Instance);
        b.Attach(new RelayReceiver(relay, _unrelayed));

        // The phone registered with B over TCP: B's own binding on that connection.
        var connection = b.CreateFlow(SipTransportKind.Tcp, AddressPhone)!.Value;
        Register(1, connection, PhoneContact);
    }

    public async ValueTask DisposeAsync() => await _network.DisposeAsync();

    [Fact]
    public async Task A_nodes_invite_reaches_the_phone_over_its_connection_and_the_answer_comes_back()
    {
        var invite = Invite(PhoneContact, _key);
        Assert.True(_a.TrySend(Udp(AddressB), invite.Raw.Span));
        await _network.WhenIdleAsync();

        var (flow, forwarded) = Assert.Single(_atPhone.Messages);
        var request = Assert.IsType<SipRequest>(forwarded);
        Assert.Equal(SipTransportKind.Tcp, flow.Transport);
        Assert.Empty(request.Routes);
        Assert.Equal(69, request.MaxForwards);
        Assert.Equal(2, request.Vias.Count);
        Assert.StartsWith(NodeHopKey.BranchPrefix, request.TopVia.Branch, StringComparison.Ordinal);
        Assert.Equal(2, request.RecordRoutes.Count);
        Assert.Equal("tcp", request.RecordRoutes[0].Uri.Transport);
        Assert.Null(request.RecordRoutes[1].Uri.Transport);
        Assert.Empty(_unrelayed.Messages);

        // The phone answers on its connection; B takes its own Via off and A gets the answer.
        var ok = SipMessageFactory.CreateResponse(request, 200, "OK", "phone-tag").BuildResponse();
        Assert.True(_phone.TrySend(new SipFlow(SipTransportKind.Tcp, AddressPhone, AddressB, flow.ConnectionId), ok.Raw.Span));
        await _network.WhenIdleAsync();
        var answer = Assert.IsType<SipResponse>(Assert.Single(_atA.Messages).Message);
        Assert.Equal(200, answer.StatusCode);
        Assert.Equal(invite.TopVia.Branch, Assert.Single(answer.Vias).Branch);

        // The phone's BYE follows the recorded route back through B, to A only.
        var bye = InDialog(request, "sip:caller@10.0.0.1:5060", "phone-tag");
        Assert.True(_phone.TrySend(new SipFlow(SipTransportKind.Tcp, AddressPhone, AddressB, flow.ConnectionId), bye.Raw.Span));
        await _network.WhenIdleAsync();
        Assert.Equal(2, _atA.Messages.Count);
        Assert.Equal(SipMethod.Bye, Assert.IsType<SipRequest>(_atA.Messages.Last().Message).Method);
    }

    [Fact]
    public async Task A_hop_is_never_handed_on_to_a_binding_another_node_shared_nor_to_a_udp_address()
    {
        // Extension 2 is known here only as another node's shared binding; extension 3 has a UDP binding of B's own.
        _locations.ApplyRemote("node-c", 2, [new ContactBinding(2, SipUri.Parse("sip:200@10.0.0.5:5060;transport=tcp"),
            new SipFlow(SipTransportKind.Udp, AddressB, AddressElsewhere), _time.GetUtcNow().AddMinutes(5), null, null, "r2", 1, null,
            [NodeHopKey.UnsignedRoute(AddressElsewhere.ToString())])]);
        Register(3, new SipFlow(SipTransportKind.Udp, AddressB, AddressElsewhere), "sip:300@10.0.0.5:5060");

        foreach (var target in (string[])["sip:200@10.0.0.5:5060;transport=tcp", "sip:300@10.0.0.5:5060"])
        {
            Assert.True(_a.TrySend(Udp(AddressB), Invite(target, _key).Raw.Span));
        }

        await _network.WhenIdleAsync();
        Assert.Empty(_atElsewhere.Messages);
        Assert.Empty(_atPhone.Messages);
        Assert.Equal([480, 480], _atA.Messages.Select(m => ((SipResponse)m.Message).StatusCode));
    }

    [Fact]
    public async Task An_invite_without_the_nodes_proof_or_from_outside_the_node_list_is_refused()
    {
        Assert.True(_a.TrySend(Udp(AddressB), Invite(PhoneContact, new NodeHopKey(RandomNumberGenerator.GetBytes(32))).Raw.Span));
        Assert.True(_a.TrySend(Udp(AddressB), Invite(PhoneContact, key: null).Raw.Span));

        // The right proof (say it leaked) from an address that is no node.
        Assert.True(_outsider.TrySend(Udp(AddressB), Invite(PhoneContact, _key, from: AddressOutsider).Raw.Span));
        await _network.WhenIdleAsync();

        Assert.Empty(_atPhone.Messages);
        Assert.Equal([403, 403], _atA.Messages.Select(m => ((SipResponse)m.Message).StatusCode));
        Assert.Equal(403, ((SipResponse)Assert.Single(_atOutsider.Messages).Message).StatusCode);
    }

    [Fact]
    public async Task A_phone_cannot_use_its_dialogs_route_to_reach_anything_but_a_node()
    {
        Assert.True(_a.TrySend(Udp(AddressB), Invite(PhoneContact, _key).Raw.Span));
        await _network.WhenIdleAsync();
        var (flow, forwarded) = Assert.Single(_atPhone.Messages);

        var bye = InDialog(forwarded, "sip:victim@10.0.0.5:5060", "phone-tag");
        Assert.True(_phone.TrySend(new SipFlow(SipTransportKind.Tcp, AddressPhone, AddressB, flow.ConnectionId), bye.Raw.Span));
        await _network.WhenIdleAsync();

        Assert.Empty(_atElsewhere.Messages);
        Assert.Equal(403, ((SipResponse)_atPhone.Messages.Last().Message).StatusCode);
    }

    [Fact]
    public async Task A_response_to_a_branch_the_hop_did_not_make_is_dropped()
    {
        var forged = SipMessageBuilder.Response(200, "OK")
            .AddHeader("Via", SipVia.Format("TCP", AddressB.ToString(), NodeHopKey.BranchPrefix + "000000000000000000000000.0"))
            .AddHeader("Via", SipVia.Format("UDP", AddressA.ToString(), SipIds.NewBranch()))
            .AddHeader("From", "<sip:a@x>;tag=1").AddHeader("To", "<sip:b@x>;tag=2").AddHeader("Call-ID", "forged")
            .AddHeader("CSeq", "1 INVITE").BuildResponse();
        Assert.True(_outsider.TrySend(Udp(AddressB), forged.Raw.Span));
        await _network.WhenIdleAsync();

        Assert.Empty(_atA.Messages);
        Assert.Empty(_unrelayed.Messages);
    }

    private void Register(long extensionId, SipFlow flow, string contact) =>
        Assert.True(_locations.Apply(new RegisterSource(extensionId, flow, "reg-" + extensionId, 1, null),
            [new BindingUpdate(SipUri.Parse(contact), TimeSpan.FromMinutes(5), null, null)], 5, _time.GetUtcNow()).IsOk);

    private static SipFlow Udp(IPEndPoint to) => new(SipTransportKind.Udp, AddressA, to);

    /// <summary>What node A's call engine sends: the hop Route B shared, signed for this call (none when <paramref name="key"/> is null).</summary>
    private static SipRequest Invite(string contact, NodeHopKey? key, IPEndPoint? from = null)
    {
        var callId = SipIds.NewCallId("10.0.0.1");
        var route = NodeHopKey.UnsignedRoute(AddressB.ToString());
        return SipMessageBuilder.Request(SipMethod.Invite, contact)
            .AddHeader("Via", SipVia.Format("UDP", (from ?? AddressA).ToString(), SipIds.NewBranch(), rport: true))
            .AddHeader("Max-Forwards", "70")
            .AddHeader("Route", key?.SignRoute(route, callId, contact) ?? route)
            .AddHeader("From", $"<sip:caller@example.com>;tag={SipIds.NewTag()}")
            .AddHeader("To", "<sip:100@example.com>")
            .AddHeader("Call-ID", callId)
            .AddHeader("CSeq", "1 INVITE")
            .AddHeader("Contact", "<sip:caller@10.0.0.1:5060>")
            .BuildRequest();
    }

    /// <summary>A request of the phone's dialog: its route set is the INVITE's Record-Route as it came (RFC 3261 section 12.1.1).</summary>
    private static SipRequest InDialog(SipMessage invite, string target, string tag)
    {
        var b = SipMessageBuilder.Request(SipMethod.Bye, target)
            .AddHeader("Via", SipVia.Format("TCP", AddressPhone.ToString(), SipIds.NewBranch()))
            .AddHeader("Max-Forwards", "70");
        foreach (var route in invite.RecordRoutes)
        {
            b.AddHeader("Route", route.ToString());
        }

        return b.AddHeader("From", $"<sip:100@example.com>;tag={tag}")
            .AddHeader("To", "<sip:caller@example.com>;tag=caller-tag")
            .AddHeader("Call-ID", invite.CallId)
            .AddHeader("CSeq", "2 BYE")
            .BuildRequest();
    }

    private InMemorySipEndpoint Attach(string name, IPEndPoint address, Inbox inbox)
    {
        var endpoint = _network.AddEndpoint(name, address);
        endpoint.Attach(inbox);
        return endpoint;
    }

    /// <summary>What arrived at one party, parsed.</summary>
    private sealed class Inbox : ISipReceiver
    {
        private readonly ConcurrentQueue<(SipFlow Flow, SipMessage Message)> _messages = new();

        public ConcurrentQueue<(SipFlow Flow, SipMessage Message)> Messages => _messages;

        public void OnReceived(in SipFlow flow, ReadOnlySpan<byte> message)
        {
            var parsed = SipParser.Parse(message.ToArray().AsMemory());
            Assert.True(parsed.IsSuccess, parsed.Detail);
            _messages.Enqueue((flow, parsed.Message!));
        }

        public void OnFlowClosed(in SipFlow flow)
        {
        }
    }

    /// <summary>Node B's receiving side as the user-agent core runs it: parse, stamp received (RFC 3581), ask the relay first.</summary>
    private sealed class RelayReceiver(NodeHopRelay relay, Inbox notRelayed) : ISipReceiver
    {
        public void OnReceived(in SipFlow flow, ReadOnlySpan<byte> message)
        {
            var parsed = SipParser.Parse(message.ToArray().AsMemory(), null, flow.IsReliable ? SipTransportFraming.Stream : SipTransportFraming.Datagram);
            Assert.True(parsed.IsSuccess, parsed.Detail);
            var received = parsed.Message is SipRequest r ? SipTransportRules.StampReceived(r, flow.Remote.Address, flow.Remote.Port) : parsed.Message!;
            if (!relay.TryRelay(received, flow))
            {
                notRelayed.OnReceived(flow, message);
            }
        }

        public void OnFlowClosed(in SipFlow flow)
        {
        }
    }
}
