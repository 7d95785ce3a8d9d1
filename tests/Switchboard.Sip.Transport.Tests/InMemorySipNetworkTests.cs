using System.Net;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transport.Tests;

public sealed class InMemorySipNetworkTests
{
    private static readonly IPEndPoint AliceAddress = new(IPAddress.Parse("10.0.0.1"), 5060);
    private static readonly IPEndPoint BobAddress = new(IPAddress.Parse("10.0.0.2"), 5060);

    /// <summary>Alice and Bob on a fresh network, each with a recording receiver attached.</summary>
    private sealed class TwoParties : IAsyncDisposable
    {
        public TwoParties(int seed = 1)
        {
            Network = new InMemorySipNetwork(seed);
            Alice = Network.AddEndpoint("alice", AliceAddress);
            Bob = Network.AddEndpoint("bob", BobAddress);
            Alice.Attach(AtAlice);
            Bob.Attach(AtBob);
        }

        public InMemorySipNetwork Network { get; }

        public InMemorySipEndpoint Alice { get; }

        public InMemorySipEndpoint Bob { get; }

        public RecordingReceiver AtAlice { get; } = new();

        public RecordingReceiver AtBob { get; } = new();

        public void AliceSends(SipTransportKind transport, int count, string prefix)
        {
            var flow = Alice.CreateFlow(transport, BobAddress)!.Value;
            for (var i = 0; i < count; i++) Assert.True(Alice.TrySend(flow, SipSamples.Bytes(SipSamples.Options($"{prefix}{i}"))));
        }

        public Task WhenIdleAsync() => Network.WhenIdleAsync().WaitAsync(RecordingReceiver.Timeout);

        public ValueTask DisposeAsync() => Network.DisposeAsync();
    }

    [Fact]
    public async Task A_request_is_delivered_later_and_a_reply_from_the_callback_comes_back()
    {
        await using var parties = new TwoParties();
        var (alice, bob, aliceReceiver, bobReceiver) = (parties.Alice, parties.Bob, parties.AtAlice, parties.AtBob);
        var insideBobsCallback = false;
        var reentered = false;
        aliceReceiver.OnMessage = (_, _) => reentered |= Volatile.Read(ref insideBobsCallback);
        bobReceiver.OnMessage = (flow, _) =>
        {
            Volatile.Write(ref insideBobsCallback, true);
            bob.TrySend(flow, SipSamples.Bytes(SipSamples.Ok("m1")));
            Volatile.Write(ref insideBobsCallback, false);
        };

        Assert.True(alice.TrySend(alice.CreateFlow(SipTransportKind.Udp, BobAddress)!.Value, SipSamples.Bytes(SipSamples.Options("m1"))));
        await parties.WhenIdleAsync();

        var (atBob, request) = await bobReceiver.NextAsync();
        Assert.Equal(SipSamples.Options("m1"), request);
        Assert.Equal(new SipFlow(SipTransportKind.Udp, BobAddress, AliceAddress), atBob);
        var (atAlice, reply) = await aliceReceiver.NextAsync();
        Assert.Equal(SipSamples.Ok("m1"), reply);
        Assert.Equal(new SipFlow(SipTransportKind.Udp, AliceAddress, BobAddress), atAlice);
        Assert.False(reentered);
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
        await using var parties = new TwoParties(seed);
        parties.Network.LossRate = 0.5;
        parties.AliceSends(SipTransportKind.Udp, 100, "l");
        await parties.WhenIdleAsync();
        Assert.Equal(100 - parties.AtBob.Pending, parties.Network.Lost);
        return parties.AtBob.Pending;
    }

    [Fact]
    public async Task Udp_reorder_and_duplicate_knobs_change_the_order_and_count()
    {
        await using var parties = new TwoParties(3);
        parties.Network.ReorderRate = 0.3;
        parties.Network.DuplicateRate = 0.2;
        parties.AliceSends(SipTransportKind.Udp, 50, "r");
        await parties.WhenIdleAsync();

        var received = new List<string>();
        while (parties.AtBob.TryTake(out var message)) received.Add(message.Text);
        Assert.True(received.Count > 50);
        Assert.Equal(50, received.Distinct().Count());
        Assert.NotEqual(received.Distinct(), Enumerable.Range(0, 50).Select(i => SipSamples.Options($"r{i}")));
    }

    [Fact]
    public async Task Tcp_flows_are_reliable_in_order_and_share_a_connection_id_until_closed()
    {
        await using var parties = new TwoParties(5);
        var (network, alice, bobReceiver, aliceReceiver) = (parties.Network, parties.Alice, parties.AtBob, parties.AtAlice);
        network.LossRate = 0.9;
        network.ReorderRate = 0.9;

        Assert.Equal(0, alice.CreateFlow(SipTransportKind.Tcp, BobAddress)!.Value.ConnectionId);
        parties.AliceSends(SipTransportKind.Tcp, 20, "c");
        await parties.WhenIdleAsync();

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
        await parties.WhenIdleAsync();
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
