using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Playwright;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// Stands in for the PBX's side of the call WebSocket (<c>/api/call</c>) of one browser context, for
/// call states the real PBX cannot be made to produce on demand. Login, sessions and links still go
/// to the real server.
/// </summary>
internal sealed class FakePbx
{
    private readonly Channel<JsonObject> fromPage = Channel.CreateUnbounded<JsonObject>();
    private readonly TaskCompletionSource<IWebSocketRoute> opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
}
