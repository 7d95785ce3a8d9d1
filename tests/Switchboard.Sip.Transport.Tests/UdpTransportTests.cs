using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transport.Tests;

public sealed class UdpTransportTests
{
    [Fact]
    public async Task A_datagram_reaches_the_receiver_and_the_reply_goes_back_to_its_sender()
    {
        var receiver = new RecordingReceiver();
        await using var hub = new SipTransportHub(new SipTransportOptions { UdpPort = 0 });
        await hub.StartAsync(receiver, CancellationToken.None);
        using var peer = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var hubEndPoint = new IPEndPoint(IPAddress.Loopback, hub.UdpPort!.Value);

        await peer.SendAsync(SipSamples.Bytes(SipSamples.Options("u1")), hubEndPoint);
        var (flow, text) = await receiver.NextAsync();

        Assert.Equal(SipSamples.Options("u1"), text);
        Assert.Equal(SipTransportKind.Udp, flow.Transport);
        Assert.Equal(peer.Client.LocalEndPoint, flow.Remote);
        Assert.Equal(0, flow.ConnectionId);
        Assert.True(hub.TrySend(flow, SipSamples.Bytes(SipSamples.Ok("u1"))));
        using var timeout = new CancellationTokenSource(RecordingReceiver.Timeout);
        var reply = await peer.ReceiveAsync(timeout.Token);
        Assert.Equal(SipSamples.Ok("u1"), Encoding.UTF8.GetString(reply.Buffer));
        Assert.Equal(hubEndPoint, reply.RemoteEndPoint);
        Assert.Equal($"127.0.0.1:{hub.UdpPort}", hub.SentBy(SipTransportKind.Udp));
    }

    [Fact]
    public async Task Crlf_keep_alives_are_counted_and_not_forwarded()
    {
        var receiver = new RecordingReceiver();
        await using var hub = new SipTransportHub(new SipTransportOptions { UdpPort = 0 });
        await hub.StartAsync(receiver, CancellationToken.None);
        using var peer = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var hubEndPoint = new IPEndPoint(IPAddress.Loopback, hub.UdpPort!.Value);

        await peer.SendAsync("\r\n\r\n"u8.ToArray(), hubEndPoint);
        await peer.SendAsync(" \r\n"u8.ToArray(), hubEndPoint);
        await peer.SendAsync(SipSamples.Bytes(SipSamples.Options("u2")), hubEndPoint);

        var (_, text) = await receiver.NextAsync();
        Assert.Equal(SipSamples.Options("u2"), text);
        Assert.Equal(2, hub.Counters.KeepAlivesReceived);
        Assert.Equal(3, hub.Counters.DatagramsReceived);
        Assert.Equal(0, receiver.Pending);
    }

    [Fact]
    public async Task Disabled_transports_have_no_flow_and_no_sent_by()
    {
        await using var hub = new SipTransportHub(new SipTransportOptions { UdpPort = 0 });
        await hub.StartAsync(new RecordingReceiver(), CancellationToken.None);
        var remote = new IPEndPoint(IPAddress.Loopback, 5060);

        Assert.Null(hub.CreateFlow(SipTransportKind.Tcp, remote));
        Assert.Null(hub.SentBy(SipTransportKind.Tls));
        Assert.Null(hub.TcpPort);
        Assert.False(hub.TrySend(new SipFlow(SipTransportKind.Tcp, remote, remote), "x"u8));
        Assert.Equal(new SipFlow(SipTransportKind.Udp, new IPEndPoint(IPAddress.Loopback, hub.UdpPort!.Value), remote), hub.CreateFlow(SipTransportKind.Udp, remote));
    }

    [Fact]
    public async Task A_receiver_that_throws_does_not_stop_the_receive_loop()
    {
        var receiver = new RecordingReceiver { OnMessage = (_, _) => throw new InvalidOperationException("receiver bug") };
        await using var hub = new SipTransportHub(new SipTransportOptions { UdpPort = 0 });
        await hub.StartAsync(receiver, CancellationToken.None);
        using var peer = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var hubEndPoint = new IPEndPoint(IPAddress.Loopback, hub.UdpPort!.Value);

        await peer.SendAsync(SipSamples.Bytes(SipSamples.Options("u3a")), hubEndPoint);
        await peer.SendAsync(SipSamples.Bytes(SipSamples.Options("u3b")), hubEndPoint);

        Assert.Equal(SipSamples.Options("u3a"), (await receiver.NextAsync()).Text);
        Assert.Equal(SipSamples.Options("u3b"), (await receiver.NextAsync()).Text);
    }

    [Fact]
    public async Task Sent_by_brackets_an_ipv6_host_and_takes_the_web_layers_websocket_value()
    {
        await using var hub = new SipTransportHub(new SipTransportOptions { UdpPort = 0, AdvertisedHost = "::1" });
        await hub.StartAsync(new RecordingReceiver(), CancellationToken.None);

        Assert.Equal($"[::1]:{hub.UdpPort}", hub.SentBy(SipTransportKind.Udp));
        Assert.Null(hub.SentBy(SipTransportKind.Wss));
        hub.SetWebSocketSentBy(SipTransportKind.Wss, "df7jal23ls0d.invalid");
        Assert.Equal("df7jal23ls0d.invalid", hub.SentBy(SipTransportKind.Wss));
    }
}
