using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transport.Tests;

public sealed class TcpTransportTests
{
    private static async Task<(SipTransportHub Hub, RecordingReceiver Receiver)> StartAsync(TimeProvider? time = null)
    {
        var receiver = new RecordingReceiver();
        var hub = new SipTransportHub(new SipTransportOptions { TcpPort = 0, IdleTimeout = TimeSpan.FromMinutes(10) }, time: time);
        await hub.StartAsync(receiver, CancellationToken.None);
        return (hub, receiver);
    }

    [Fact]
    public async Task A_message_split_across_writes_is_reassembled()
    {
        var (hub, receiver) = await StartAsync();
        await using var _ = hub;
        await using var peer = await StreamPeer.ConnectAsync(hub.TcpPort!.Value);
        var message = SipSamples.Options("t1", "v=0\r\n");

        await peer.WriteAsync(message[..10]);
        await Task.Delay(20);
        await peer.WriteAsync(message[10..100]);
        await Task.Delay(20);
        await peer.WriteAsync(message[100..]);

        var (flow, text) = await receiver.NextAsync();
        Assert.Equal(message, text);
        Assert.Equal(SipTransportKind.Tcp, flow.Transport);
        Assert.Equal(peer.LocalEndPoint, flow.Remote);
        Assert.NotEqual(0, flow.ConnectionId);
    }

    [Fact]
    public async Task Two_messages_in_one_write_become_two()
    {
        var (hub, receiver) = await StartAsync();
        await using var _ = hub;
        await using var peer = await StreamPeer.ConnectAsync(hub.TcpPort!.Value);

        await peer.WriteAsync(SipSamples.Options("t2a", "abc") + SipSamples.Options("t2b"));

        Assert.Equal(SipSamples.Options("t2a", "abc"), (await receiver.NextAsync()).Text);
        Assert.Equal(SipSamples.Options("t2b"), (await receiver.NextAsync()).Text);
    }

    [Fact]
    public async Task A_crlf_crlf_ping_gets_a_crlf_pong_and_is_not_forwarded()
    {
        var (hub, receiver) = await StartAsync();
        await using var _ = hub;
        await using var peer = await StreamPeer.ConnectAsync(hub.TcpPort!.Value);

        await peer.WriteAsync("\r\n\r\n");
        Assert.Equal("\r\n", await peer.ReadAsync(2));
        await peer.WriteAsync(SipSamples.Options("t3"));

        Assert.Equal(SipSamples.Options("t3"), (await receiver.NextAsync()).Text);
        Assert.Equal(1, hub.Counters.KeepAlivesReceived);
    }

    [Fact]
    public async Task A_framing_error_closes_the_connection_and_reports_the_flow_closed()
    {
        var (hub, receiver) = await StartAsync();
        await using var _ = hub;
        await using var peer = await StreamPeer.ConnectAsync(hub.TcpPort!.Value);

        await peer.WriteAsync("OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nCall-ID: no-length\r\n\r\n");

        var closed = await receiver.NextClosedAsync();
        Assert.Equal(peer.LocalEndPoint, closed.Remote);
        Assert.True(await peer.ClosedByRemoteAsync());
        Assert.Equal(1, hub.Counters.FramesRejected);
        Assert.Equal(0, hub.Counters.ConnectionsOpen);
        Assert.Equal(0, receiver.Pending);
    }

    [Fact]
    public async Task A_reply_on_the_flow_goes_back_on_the_same_connection()
    {
        var (hub, receiver) = await StartAsync();
        await using var _ = hub;
        await using var peer = await StreamPeer.ConnectAsync(hub.TcpPort!.Value);
        await peer.WriteAsync(SipSamples.Options("t4"));
        var (flow, _) = await receiver.NextAsync();

        Assert.True(hub.TrySend(flow, SipSamples.Bytes(SipSamples.Ok("t4"))));

        Assert.Equal(SipSamples.Ok("t4"), await peer.ReadAsync(SipSamples.Ok("t4").Length));
        Assert.Equal(flow, hub.CreateFlow(SipTransportKind.Tcp, peer.LocalEndPoint));
    }

    [Fact]
    public async Task A_send_with_no_connection_connects_and_the_next_send_reuses_it()
    {
        var (hub, receiver) = await StartAsync();
        await using var _ = hub;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var remote = (IPEndPoint)listener.LocalEndpoint;

        var flow = hub.CreateFlow(SipTransportKind.Tcp, remote)!.Value;
        Assert.Equal(0, flow.ConnectionId);
        Assert.True(hub.TrySend(flow, SipSamples.Bytes(SipSamples.Options("t5a"))));
        Assert.True(hub.TrySend(flow, SipSamples.Bytes(SipSamples.Options("t5b"))));
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(RecordingReceiver.Timeout);
        await using var peer = StreamPeer.Accepted(accepted);

        var expected = SipSamples.Options("t5a") + SipSamples.Options("t5b");
        Assert.Equal(expected, await peer.ReadAsync(expected.Length));
        Assert.False(listener.Pending());
        Assert.Equal(1, hub.Counters.ConnectionsOpened);

        // The peer answers on the connection the hub opened: the flow names it, and the hub reuses it.
        await peer.WriteAsync(SipSamples.Ok("t5a"));
        var (replyFlow, text) = await receiver.NextAsync();
        Assert.Equal(SipSamples.Ok("t5a"), text);
        Assert.Equal(remote, replyFlow.Remote);
        Assert.NotEqual(0, replyFlow.ConnectionId);
        Assert.Equal(replyFlow, hub.CreateFlow(SipTransportKind.Tcp, remote));
    }

    [Fact]
    public async Task A_connect_that_fails_reports_its_flow_closed()
    {
        var (hub, receiver) = await StartAsync();
        await using var _ = hub;
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var nobody = (IPEndPoint)probe.LocalEndpoint;
        probe.Stop();

        Assert.True(hub.TrySend(new SipFlow(SipTransportKind.Tcp, nobody, nobody), SipSamples.Bytes(SipSamples.Options("t6"))));

        Assert.Equal(nobody, (await receiver.NextClosedAsync()).Remote);
        Assert.Equal(0, hub.Counters.ConnectionsOpen);
    }

    [Fact]
    public async Task An_idle_connection_closes_after_the_idle_timeout()
    {
        var time = new FakeTimeProvider();
        var (hub, receiver) = await StartAsync(time);
        await using var _ = hub;
        await using var peer = await StreamPeer.ConnectAsync(hub.TcpPort!.Value);
        await peer.WriteAsync(SipSamples.Options("t7"));
        await receiver.NextAsync();

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, hub.Counters.ConnectionsOpen);
        time.Advance(TimeSpan.FromMinutes(6));

        await receiver.NextClosedAsync();
        Assert.True(await peer.ClosedByRemoteAsync());
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_refused()
    {
        var receiver = new RecordingReceiver();
        await using var hub = new SipTransportHub(new SipTransportOptions { TcpPort = 0, MaxConnections = 1 });
        await hub.StartAsync(receiver, CancellationToken.None);
        await using var first = await StreamPeer.ConnectAsync(hub.TcpPort!.Value);
        await first.WriteAsync(SipSamples.Options("t8"));
        await receiver.NextAsync();

        await using var second = await StreamPeer.ConnectAsync(hub.TcpPort!.Value);

        Assert.True(await second.ClosedByRemoteAsync());
        Assert.Equal(1, hub.Counters.ConnectionsOpen);
        Assert.Equal(1, hub.Counters.ConnectionsAccepted);
    }
}
