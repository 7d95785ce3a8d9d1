using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Playwright;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// Stands in for the PBX's side of the call WebSocket (<c>/api/call</c>) of one browser context, for
/// the parts of the page that need a call to be up: the PBX of this issue has no media yet, so it
/// fails every call before ringing. Login, sessions and links still go to the real server.
/// </summary>
internal sealed class FakePbx
{
    private readonly Channel<JsonObject> fromPage = Channel.CreateUnbounded<JsonObject>();
    private readonly TaskCompletionSource<IWebSocketRoute> opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string? OpenedUrl { get; private set; }

    public static async Task<FakePbx> InstallAsync(IBrowserContext context)
    {
        var pbx = new FakePbx();
        await context.RouteWebSocketAsync(
            url => new Uri(url).AbsolutePath == "/api/call",
            ws =>
            {
                pbx.OpenedUrl = ws.Url;
                ws.OnMessage(frame =>
                {
                    if (frame.Text is { } text && JsonNode.Parse(text) is JsonObject message)
                    {
                        pbx.fromPage.Writer.TryWrite(message);
                    }
                });
                ws.OnClose((_, _) => pbx.closed.TrySetResult());
                pbx.opened.TrySetResult(ws);
            });
        return pbx;
    }

    /// <summary>The next message of the given type from the page (others, such as pings, are skipped).</summary>
    public async Task<JsonObject> NextAsync(string type, int timeoutMs = 6000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            while (true)
            {
                var message = await fromPage.Reader.ReadAsync(cts.Token);
                if ((string?)message["type"] == type) return message;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the page sent no '{type}' within {timeoutMs} ms");
        }
    }

    public async Task SendAsync(object message)
    {
        var ws = await opened.Task.WaitAsync(TimeSpan.FromSeconds(6));
        ws.Send(JsonSerializer.Serialize(message));
    }

    public async Task CloseAsync()
    {
        var ws = await opened.Task.WaitAsync(TimeSpan.FromSeconds(6));
        await ws.CloseAsync(new WebSocketRouteCloseOptions { Code = 1011, Reason = "gone" });
    }

    public Task PageClosedSocketAsync(int timeoutMs = 6000) => closed.Task.WaitAsync(TimeSpan.FromMilliseconds(timeoutMs));

    /// <summary>Takes the call request and answers trying, ringing and connected, without media.</summary>
    public async Task<JsonObject> ConnectWithoutMediaAsync(IPage popup)
    {
        var call = await NextAsync("call");
        await SendAsync(new { type = "trying", callId = "fake-1" });
        await SendAsync(new { type = "ringing" });
        await popup.ExpectStateAsync("ringing");
        await SendAsync(new { type = "connected" });
        await popup.ExpectStateAsync("connected");
        return call;
    }

    /// <summary>
    /// Takes the call request and answers it with a real WebRTC peer made in <paramref name="answerer"/>
    /// (another page of the same browser), so ICE, DTLS and RTP run between two Chromium peers.
    /// </summary>
    public async Task<JsonObject> ConnectWithPeerAsync(IPage popup, IPage answerer)
    {
        var call = await NextAsync("call");
        await SendAsync(new { type = "trying", callId = "fake-2" });
        var answer = await answerer.EvaluateAsync<string>(
            """
            async offer => {
              const pc = new RTCPeerConnection({ iceServers: [] });
              window.__answerer = pc;
              const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
              mic.getTracks().forEach(t => pc.addTrack(t, mic));
              await pc.setRemoteDescription({ type: 'offer', sdp: offer });
              await pc.setLocalDescription(await pc.createAnswer());
              await new Promise(resolve => {
                if (pc.iceGatheringState === 'complete') return resolve();
                pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
                setTimeout(resolve, 3000);
              });
              return pc.localDescription.sdp;
            }
            """,
            (string?)call["sdp"]);
        await SendAsync(new { type = "ringing" });
        await SendAsync(new { type = "answer", sdp = answer });
        await SendAsync(new { type = "connected" });
        await popup.ExpectStateAsync("connected");
        return call;
    }
}
