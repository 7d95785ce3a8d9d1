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
using Switchboard.Sip.UserAgent;

namespace Switchboard.Pbx.Tests.Cluster;

/// <summary>
/// The hop between nodes on an in-memory network (docs/scale-out.md, "Calls across nodes"; docs/security.md, "The hop
/// between nodes"): node A calls a phone node B holds over TCP through B's hop, and the rules that keep the hop from being
/// a relay: only nodes, only with the key's proof, only to a connection B's own registrar holds, never handed on.
/// </summary>
public sealed class NodeHopRelayTests : IAsyncLifetime, IAsyncDisposable
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
    private readonly InMemorySipEndpoint _b;
    private readonly ClusterNodes _nodes = new() { Own = AddressB };
    private readonly InMemorySipEndpoint _phone;
    private readonly InMemorySipEndpoint _outsider;
    private readonly Inbox _atA = new();
    private readonly Inbox _atPhone = new();
    private readonly Inbox _atOutsider = new();
    private readonly Inbox _atElsewhere = new();
    private readonly Inbox _unrelayed = new();
    private bool _draining;

    public NodeHopRelayTests()
    {
        _a = Attach("A", AddressA, _atA);
        _phone = Attach("phone", AddressPhone, _atPhone);
        _outsider = Attach("outsider", AddressOutsider, _atOutsider);
        Attach("elsewhere", AddressElsewhere, _atElsewhere);
        var b = _b = _network.AddEndpoint("B", AddressB);
        _nodes.Replace([AddressA, AddressB]);
        var relay = new NodeHopRelay(b, _locations, _nodes, _key, _time, () => _draining, NullLogger<NodeHopRelay>.Instance);
        b.Attach(new RelayReceiver(relay, _unrelayed));
    }

    /// <summary>The phone registered with B over TCP: B's own binding on the connection the phone opened.</summary>
    public async Task InitializeAsync()
    {
        var register = SipMessageBuilder.Request(SipMethod.Register, "sip:example.com")
            .AddHeader("Via", SipVia.Format("TCP", AddressPhone.ToString(), SipIds.NewBranch()))
            .AddHeader("Max-Forwards", "70")
            .AddHeader("From", "<sip:100@example.com>;tag=reg").AddHeader("To", "<sip:100@example.com>")
            .AddHeader("Call-ID", "register-100").AddHeader("CSeq", "1 REGISTER")
            .AddHeader("Contact", $"<{PhoneContact}>")
            .BuildRequest();
        Assert.True(_phone.TrySend(new SipFlow(SipTransportKind.Tcp, AddressPhone, AddressB), register.Raw.Span));
        await _network.WhenIdleAsync();
        Assert.True(_unrelayed.Messages.TryDequeue(out var arrived));
        Assert.NotEqual(0, arrived.Flow.ConnectionId);
        Register(1, arrived.Flow, PhoneContact);
    }

    public async Task DisposeAsync() => await _network.DisposeAsync();

    ValueTask IAsyncDisposable.DisposeAsync() => _network.DisposeAsync();

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

        // Whatever its Request-URI names, the phone's request goes to the node that made the call, and only there.
        var fromPhone = new SipFlow(SipTransportKind.Tcp, AddressPhone, AddressB, flow.ConnectionId);
        Assert.True(_phone.TrySend(fromPhone, InDialog(forwarded, "sip:victim@10.0.0.5:5060", "phone-tag").Raw.Span));
        await _network.WhenIdleAsync();
        Assert.Empty(_atElsewhere.Messages);
        Assert.Equal(SipMethod.Bye, Assert.IsType<SipRequest>(Assert.Single(_atA.Messages).Message).Method);

        // A Record-Route whose calling node the phone rewrote loses its proof, even for an address in the node list.
        _nodes.Replace([AddressA, AddressB, AddressElsewhere]);
        var rewritten = InDialog(forwarded, "sip:victim@10.0.0.5:5060", "phone-tag").ToBuilder();
        rewritten.RemoveHeader("Route");
        foreach (var route in forwarded.RecordRoutes)
        {
            rewritten.AddHeader("Route", route.ToString().Replace("sbnode=" + AddressA, "sbnode=" + AddressElsewhere, StringComparison.Ordinal));
        }

        Assert.True(_phone.TrySend(fromPhone, rewritten.BuildRequest().Raw.Span));
        await _network.WhenIdleAsync();
        Assert.Empty(_atElsewhere.Messages);
        Assert.Single(_atA.Messages);
        Assert.Equal(403, ((SipResponse)_atPhone.Messages.Last().Message).StatusCode);

        // Nor may it reach the calling node once that node has left the cluster.
        _nodes.Replace([AddressB]);
        Assert.True(_phone.TrySend(fromPhone, InDialog(forwarded, "sip:caller@10.0.0.1:5060", "phone-tag").Raw.Span));
        await _network.WhenIdleAsync();
        Assert.Single(_atA.Messages);
        Assert.Equal(403, ((SipResponse)_atPhone.Messages.Last().Message).StatusCode);
    }

    [Fact]
    public async Task A_node_whose_sent_by_is_a_name_takes_the_hop_at_its_resolved_address_and_records_that_address_for_the_nodes()
    {
        // B writes a name in its Vias (--sip-advertise); its announcer resolved it to B's address, which is what B shared.
        _b.AdvertisedHost = "pbx-b.test";
        var invite = Invite(PhoneContact, _key, callerContact: "<sip:caller@pbx-a.test:5060>");
        Assert.True(_a.TrySend(Udp(AddressB), invite.Raw.Span));
        await _network.WhenIdleAsync();

        var (flow, forwarded) = Assert.Single(_atPhone.Messages);
        var request = Assert.IsType<SipRequest>(forwarded);
        Assert.Equal("pbx-b.test:5060", request.TopVia.SentBy);
        Assert.Equal("pbx-b.test:5060", request.RecordRoutes[0].Uri.HostPort);
        Assert.Equal(AddressB.ToString(), request.RecordRoutes[1].Uri.HostPort);

        // The phone's BYE reaches A though A's Contact is a name B never resolves.
        var bye = InDialog(request, "sip:caller@pbx-a.test:5060", "phone-tag");
        Assert.True(_phone.TrySend(new SipFlow(SipTransportKind.Tcp, AddressPhone, AddressB, flow.ConnectionId), bye.Raw.Span));
        await _network.WhenIdleAsync();
        Assert.Equal(SipMethod.Bye, Assert.IsType<SipRequest>(Assert.Single(_atA.Messages).Message).Method);

        // And A's BYE through the Record-Route of the nodes' side (B's address) reaches the phone over its connection.
        var fromA = SipMessageBuilder.Request(SipMethod.Bye, PhoneContact)
            .AddHeader("Via", SipVia.Format("UDP", "pbx-a.test:5060", SipIds.NewBranch(), rport: true))
            .AddHeader("Max-Forwards", "70")
            .AddHeader("Route", request.RecordRoutes[1].ToString())
            .AddHeader("From", "<sip:caller@example.com>;tag=caller-tag")
            .AddHeader("To", "<sip:100@example.com>;tag=phone-tag")
            .AddHeader("Call-ID", invite.CallId)
            .AddHeader("CSeq", "3 BYE")
            .BuildRequest();
        Assert.True(_a.TrySend(Udp(AddressB), fromA.Raw.Span));
        await _network.WhenIdleAsync();
        Assert.Equal(SipMethod.Bye, Assert.IsType<SipRequest>(_atPhone.Messages.Last().Message).Method);
        Assert.Empty(_unrelayed.Messages);
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

    [Fact]
    public async Task An_invite_whose_max_forwards_is_used_up_gets_483_and_one_with_a_hop_left_goes_on_with_none()
    {
        // RFC 3261 section 16.3 step 3: zero may not be forwarded (483); one passes, and section 16.6 step 3 counts it down to zero.
        var spent = Invite(PhoneContact, _key, maxForwards: 0);
        Assert.True(_a.TrySend(Udp(AddressB), spent.Raw.Span));
        await _network.WhenIdleAsync();

        Assert.Empty(_atPhone.Messages);
        var refusal = Assert.IsType<SipResponse>(Assert.Single(_atA.Messages).Message);
        Assert.Equal(483, refusal.StatusCode);
        Assert.Equal(spent.TopVia.Branch, Assert.Single(refusal.Vias).Branch);

        Assert.True(_a.TrySend(Udp(AddressB), Invite(PhoneContact, _key, maxForwards: 1).Raw.Span));
        await _network.WhenIdleAsync();
        var forwarded = Assert.IsType<SipRequest>(Assert.Single(_atPhone.Messages).Message);
        Assert.Equal(0, forwarded.MaxForwards);
        Assert.Single(_atA.Messages);
    }

    [Fact]
    public async Task A_phones_request_through_the_recorded_route_with_max_forwards_used_up_gets_483()
    {
        Assert.True(_a.TrySend(Udp(AddressB), Invite(PhoneContact, _key).Raw.Span));
        await _network.WhenIdleAsync();
        var (flow, forwarded) = Assert.Single(_atPhone.Messages);

        var bye = InDialog(forwarded, "sip:caller@10.0.0.1:5060", "phone-tag", maxForwards: 0);
        Assert.True(_phone.TrySend(new SipFlow(SipTransportKind.Tcp, AddressPhone, AddressB, flow.ConnectionId), bye.Raw.Span));
        await _network.WhenIdleAsync();

        Assert.Empty(_atA.Messages);
        Assert.Equal(483, Assert.IsType<SipResponse>(_atPhone.Messages.Last().Message).StatusCode);
    }

    [Fact]
    public async Task A_draining_node_refuses_a_new_call_through_its_hop_with_503_and_carries_the_calls_that_are_up()
    {
        Assert.True(_a.TrySend(Udp(AddressB), Invite(PhoneContact, _key).Raw.Span));
        await _network.WhenIdleAsync();
        var (flow, up) = Assert.Single(_atPhone.Messages);

        _draining = true;
        Assert.True(_a.TrySend(Udp(AddressB), Invite(PhoneContact, _key).Raw.Span));
        await _network.WhenIdleAsync();

        Assert.Single(_atPhone.Messages);
        var refusal = Assert.IsType<SipResponse>(Assert.Single(_atA.Messages).Message);
        Assert.Equal(503, refusal.StatusCode);
        Assert.Equal(SipUserAgentCore.RetryAfterDraining, refusal.GetHeaderValue(SipHeaderId.RetryAfter));

        // The call that was up before the drain still gets its BYE across (docs/scale-out.md, "Drain").
        var bye = InDialog(up, "sip:caller@10.0.0.1:5060", "phone-tag");
        Assert.True(_phone.TrySend(new SipFlow(SipTransportKind.Tcp, AddressPhone, AddressB, flow.ConnectionId), bye.Raw.Span));
        await _network.WhenIdleAsync();
        Assert.Equal(SipMethod.Bye, Assert.IsType<SipRequest>(_atA.Messages.Last().Message).Method);
    }

    [Fact]
    public async Task Only_a_response_on_the_hops_own_signed_branch_is_relayed()
    {
        Assert.True(_a.TrySend(Udp(AddressB), Invite(PhoneContact, _key).Raw.Span));
        await _network.WhenIdleAsync();
        var (flow, forwarded) = Assert.Single(_atPhone.Messages);
        var request = (SipRequest)forwarded;
        var fromPhone = new SipFlow(SipTransportKind.Tcp, AddressPhone, AddressB, flow.ConnectionId);

        // The hop's branch made for another incoming branch (the next Via changed) proves nothing: dropped, unanswered.
        var tampered = SipMessageFactory.CreateResponse(request, 180, "Ringing", "phone-tag").BuildResponse().ToBuilder();
        tampered.RemoveHeader("Via");
        tampered.AddHeader("Via", request.Vias[0].ToString());
        tampered.AddHeader("Via", SipVia.Format("UDP", AddressA.ToString(), SipIds.NewBranch()));
        Assert.True(_phone.TrySend(fromPhone, tampered.BuildResponse().Raw.Span));

        // A response whose top Via is no hop branch is not the hop's to relay: B's own core gets it.
        var notOurs = SipMessageFactory.CreateResponse(request, 180, "Ringing", "phone-tag").BuildResponse().ToBuilder();
        notOurs.RemoveHeader("Via");
        notOurs.AddHeader("Via", SipVia.Format("UDP", AddressB.ToString(), SipIds.NewBranch()));
        notOurs.AddHeader("Via", request.Vias[1].ToString());
        Assert.True(_phone.TrySend(fromPhone, notOurs.BuildResponse().Raw.Span));
        await _network.WhenIdleAsync();

        Assert.Empty(_atA.Messages);
        Assert.Equal(180, Assert.IsType<SipResponse>(Assert.Single(_unrelayed.Messages).Message).StatusCode);

        // The real one, on the branch as the hop made it, reaches A.
        Assert.True(_phone.TrySend(fromPhone, SipMessageFactory.CreateResponse(request, 180, "Ringing", "phone-tag").BuildResponse().Raw.Span));
        await _network.WhenIdleAsync();
        Assert.Equal(180, Assert.IsType<SipResponse>(Assert.Single(_atA.Messages).Message).StatusCode);
    }

    private void Register(long extensionId, SipFlow flow, string contact) =>
        Assert.True(_locations.Apply(new RegisterSource(extensionId, flow, "reg-" + extensionId, 1, null),
            [new BindingUpdate(SipUri.Parse(contact), TimeSpan.FromMinutes(5), null, null)], 5, _time.GetUtcNow()).IsOk);

    private static SipFlow Udp(IPEndPoint to) => new(SipTransportKind.Udp, AddressA, to);

    /// <summary>What node A's call engine sends: the hop Route B shared, signed for this call (none when <paramref name="key"/> is null).</summary>
    private static SipRequest Invite(string contact, NodeHopKey? key, IPEndPoint? from = null, int maxForwards = 70, string callerContact = "<sip:caller@10.0.0.1:5060>")
    {
        var callId = SipIds.NewCallId("10.0.0.1");
        var route = NodeHopKey.UnsignedRoute(AddressB.ToString());
        return SipMessageBuilder.Request(SipMethod.Invite, contact)
            .AddHeader("Via", SipVia.Format("UDP", (from ?? AddressA).ToString(), SipIds.NewBranch(), rport: true))
            .AddHeader("Max-Forwards", maxForwards.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .AddHeader("Route", key?.SignRoute(route, callId, contact) ?? route)
            .AddHeader("From", $"<sip:caller@example.com>;tag={SipIds.NewTag()}")
            .AddHeader("To", "<sip:100@example.com>")
            .AddHeader("Call-ID", callId)
            .AddHeader("CSeq", "1 INVITE")
            .AddHeader("Contact", callerContact)
            .BuildRequest();
    }

    /// <summary>A request of the phone's dialog: its route set is the INVITE's Record-Route as it came (RFC 3261 section 12.1.1).</summary>
    private static SipRequest InDialog(SipMessage invite, string target, string tag, int maxForwards = 70)
    {
        var b = SipMessageBuilder.Request(SipMethod.Bye, target)
            .AddHeader("Via", SipVia.Format("TCP", AddressPhone.ToString(), SipIds.NewBranch()))
            .AddHeader("Max-Forwards", maxForwards.ToString(System.Globalization.CultureInfo.InvariantCulture));
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
