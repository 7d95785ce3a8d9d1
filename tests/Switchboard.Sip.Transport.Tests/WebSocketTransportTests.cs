using System.Net.WebSockets;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transport.Tests;

/// <summary>The hub's side of RFC 7118, over a real loopback TCP connection with no HTTP upgrade in between.</summary>
public sealed class WebSocketTransportTests
{
    [Fact]
    public async Task Each_message_is_one_sip_message_and_the_reply_goes_back_as_text()
    {
        await using var h = await WebSocketHarness.StartAsync();
        await h.SendAsync(SipSamples.Options("w1"));
        var (flow, text) = await h.Receiver.NextAsync();
        Assert.Equal(SipSamples.Options("w1"), text);
        Assert.Equal(SipTransportKind.Ws, flow.Transport);
        Assert.Equal(h.ClientEndPoint, flow.Remote);
        Assert.Equal(flow, h.Hub.CreateFlow(SipTransportKind.Ws, h.ClientEndPoint));
        Assert.Equal("abc.invalid", h.Hub.SentBy(SipTransportKind.Ws));

        Assert.True(h.Hub.TrySend(flow, SipSamples.Bytes(SipSamples.Ok("w1"))));
        var (reply, result) = await h.ReceiveAsync();
        Assert.Equal(SipSamples.Ok("w1"), reply);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        Assert.True(result.EndOfMessage);
    }

    [Fact]
    public async Task A_crlf_crlf_ping_gets_a_crlf_pong()
    {
        await using var h = await WebSocketHarness.StartAsync();
        await h.SendAsync("\r\n\r\n");
        Assert.Equal("\r\n", (await h.ReceiveAsync()).Text);
        Assert.Equal(0, h.Receiver.Pending);
        Assert.Equal(1, h.Hub.Counters.KeepAlivesReceived);
    }

    [Fact]
    public async Task A_close_from_the_peer_ends_the_run_and_reports_the_flow_closed()
    {
        await using var h = await WebSocketHarness.StartAsync();
        await h.SendAsync(SipSamples.Options("w2"));
        var (flow, _) = await h.Receiver.NextAsync();

        await h.Client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, h.Token);

        Assert.Equal(flow, await h.Receiver.NextClosedAsync());
        await h.Run.WaitAsync(RecordingReceiver.Timeout);
        Assert.False(h.Hub.TrySend(flow, SipSamples.Bytes(SipSamples.Ok("w2"))));
        Assert.Null(h.Hub.CreateFlow(SipTransportKind.Ws, h.ClientEndPoint));
    }

    [Fact]
    public async Task An_oversize_message_closes_with_message_too_big()
    {
        await using var h = await WebSocketHarness.StartAsync();
        await h.SendAsync(SipSamples.Options("w3", new string('x', 5000)));

        var (_, result) = await h.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, h.Client.CloseStatus);
        await h.Receiver.NextClosedAsync();
        Assert.Equal(1, h.Hub.Counters.FramesRejected);
        Assert.Equal(0, h.Receiver.Pending);
    }
}
