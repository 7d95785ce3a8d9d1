using System.Net;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transport.Tests;

public sealed class InMemorySipNetworkTests
{
    private static readonly IPEndPoint AliceAddress = new(IPAddress.Parse("10.0.0.1"), 5060);
    private static readonly IPEndPoint BobAddress = new(IPAddress.Parse("10.0.0.2"), 5060);

    [Fact]
    public async Task A_request_is_delivered_later_and_a_reply_from_the_callback_comes_back()
    {
        await using var network = new InMemorySipNetwork();
        var alice = network.AddEndpoint("alice", AliceAddress);
        var bob = network.AddEndpoint("bob", BobAddress);
        var aliceReceiver = new RecordingReceiver();
        var bobReceiver = new RecordingReceiver { OnMessage = (flow, _) => bob.TrySend(flow, SipSamples.Bytes(SipSamples.Ok("m1"))) };
        alice.Attach(aliceReceiver);
        bob.Attach(bobReceiver);

        Assert.True(alice.TrySend(alice.CreateFlow(SipTransportKind.Udp, BobAddress)!.Value, SipSamples.Bytes(SipSamples.Options("m1"))));
        Assert.Equal(0, bobReceiver.Pending);
        await network.WhenIdleAsync().WaitAsync(RecordingReceiver.Timeout);

        var (atBob, request) = await bobReceiver.NextAsync();
        Assert.Equal(SipSamples.Options("m1"), request);
        Assert.Equal(new SipFlow(SipTransportKind.Udp, BobAddress, AliceAddress), atBob);
        var (atAlice, reply) = await aliceReceiver.NextAsync();
        Assert.Equal(SipSamples.Ok("m1"), reply);
        Assert.Equal(new SipFlow(SipTransportKind.Udp, AliceAddress, BobAddress), atAlice);
    }

    [Fact]
    public async Task Udp_loss_is_seeded_and_repeatable()
    {
        Assert.Equal(await DeliveredWithLossAsync(seed: 7), await DeliveredWithLossAsync(seed: 7));
        var delivered = await DeliveredWithLossAsync(seed: 7);
        Assert.InRange(delivered, 20, 80);
    }

    private static async Task<int> DeliveredWithLossAsync(int seed)
    {
        await using var network = new InMemorySipNetwork(seed) { LossRate = 0.5 };
        var alice = network.AddEndpoint("alice", AliceAddress);
        var bob = network.AddEndpoint("bob", BobAddress);
        var receiver = new RecordingReceiver();
        bob.Attach(receiver);
        var flow = alice.CreateFlow(SipTransportKind.Udp, BobAddress)!.Value;
        for (var i = 0; i < 100; i++) alice.TrySend(flow, SipSamples.Bytes(SipSamples.Options($"l{i}")));
        await network.WhenIdleAsync().WaitAsync(RecordingReceiver.Timeout);
        Assert.Equal(100 - receiver.Pending, network.Lost);
        return receiver.Pending;
    }

    [Fact]
    public async Task Udp_reorder_and_duplicate_knobs_change_the_order_and_count()
    {
        await using var network = new InMemorySipNetwork(3) { ReorderRate = 0.3, DuplicateRate = 0.2 };
        var alice = network.AddEndpoint("alice", AliceAddress);
        var bob = network.AddEndpoint("bob", BobAddress);
        var receiver = new RecordingReceiver();
        bob.Attach(receiver);
        var flow = alice.CreateFlow(SipTransportKind.Udp, BobAddress)!.Value;
        for (var i = 0; i < 50; i++) alice.TrySend(flow, SipSamples.Bytes(SipSamples.Options($"r{i}")));
        await network.WhenIdleAsync().WaitAsync(RecordingReceiver.Timeout);

        var received = new List<string>();
        while (receiver.TryTake(out var message)) received.Add(message.Text);
        Assert.True(received.Count > 50);
        Assert.Equal(50, received.Distinct().Count());
        Assert.NotEqual(received.Distinct(), Enumerable.Range(0, 50).Select(i => SipSamples.Options($"r{i}")));
    }

    [Fact]
    public async Task Tcp_flows_are_reliable_in_order_and_share_a_connection_id_until_closed()
    {
        await using var network = new InMemorySipNetwork(5) { LossRate = 0.9, ReorderRate = 0.9 };
        var alice = network.AddEndpoint("alice", AliceAddress);
        var bob = network.AddEndpoint("bob", BobAddress);
        var aliceReceiver = new RecordingReceiver();
        var bobReceiver = new RecordingReceiver();
        alice.Attach(aliceReceiver);
        bob.Attach(bobReceiver);

        var flow = alice.CreateFlow(SipTransportKind.Tcp, BobAddress)!.Value;
        Assert.Equal(0, flow.ConnectionId);
        for (var i = 0; i < 20; i++) alice.TrySend(flow, SipSamples.Bytes(SipSamples.Options($"c{i}")));
        await network.WhenIdleAsync().WaitAsync(RecordingReceiver.Timeout);

        SipFlow atBob = default;
        for (var i = 0; i < 20; i++)
        {
            var (received, text) = await bobReceiver.NextAsync();
            Assert.Equal(SipSamples.Options($"c{i}"), text);
            atBob = received;
        }
        Assert.NotEqual(0, atBob.ConnectionId);
        Assert.Equal(atBob.ConnectionId, alice.CreateFlow(SipTransportKind.Tcp, BobAddress)!.Value.ConnectionId);

        network.CloseConnection(atBob);
        await network.WhenIdleAsync().WaitAsync(RecordingReceiver.Timeout);
        Assert.Equal(atBob, await bobReceiver.NextClosedAsync());
        Assert.Equal(BobAddress, (await aliceReceiver.NextClosedAsync()).Remote);
    }

    [Fact]
    public async Task A_websocket_flow_exists_only_once_the_client_has_connected()
    {
        await using var network = new InMemorySipNetwork();
        var browser = network.AddEndpoint("browser", AliceAddress);
        var pbx = network.AddEndpoint("pbx", BobAddress);
        var pbxReceiver = new RecordingReceiver();
        pbx.Attach(pbxReceiver);

        Assert.Null(pbx.CreateFlow(SipTransportKind.Wss, AliceAddress));
        browser.TrySend(new SipFlow(SipTransportKind.Wss, AliceAddress, BobAddress), SipSamples.Bytes(SipSamples.Options("ws1")));
        await network.WhenIdleAsync().WaitAsync(RecordingReceiver.Timeout);

        var (flow, _) = await pbxReceiver.NextAsync();
        Assert.Equal(flow, pbx.CreateFlow(SipTransportKind.Wss, AliceAddress));
        network.CloseConnection(flow);
        await network.WhenIdleAsync().WaitAsync(RecordingReceiver.Timeout);
        Assert.False(pbx.TrySend(flow, SipSamples.Bytes(SipSamples.Ok("ws1"))));
    }
}
