using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.MediaLoad.WebRtc;

/// <summary>
/// One call WebSocket: sends <c>call</c> and <c>hangup</c>, answers the PBX's pings, and turns its messages into
/// tasks (answer SDP, connected, ended with its reason). One receive task per call: setup and signalling only.
/// </summary>
internal sealed class CallSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly TaskCompletionSource<string> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Task _receiving;

    public CallSocket(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = ReceiveLoopAsync();
    }

    public Task<string> Answer => _answer.Task;

    public Task Connected => _connected.Task;

    /// <summary>The <c>ended</c> reason, or "network" when the socket closed without one.</summary>
    public Task<string> Ended => _ended.Task;

    public Task CallAsync(string destination, string sdp, CancellationToken ct) => SendAsync(new { type = "call", destnumber = destination, sdp }, ct);

    public Task HangUpAsync(CancellationToken ct) => SendAsync(new { type = "hangup" }, ct);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        _socket.Abort();
        await _receiving;
        _socket.Dispose();
        _sendLock.Dispose();
    }

    private async Task SendAsync(object message, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message);
        await _sendLock.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                await OnMessageAsync(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
                message.SetLength(0);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _ended.TrySetResult("network");
        _answer.TrySetCanceled();
        _connected.TrySetCanceled();
    }

    private async Task OnMessageAsync(string text)
    {
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        switch (root.GetProperty("type").GetString())
        {
            case "answer":
                _answer.TrySetResult(root.GetProperty("sdp").GetString() ?? "");
                break;
            case "connected":
                _connected.TrySetResult();
                break;
            case "ended":
                _ended.TrySetResult(root.TryGetProperty("reason", out var reason) ? reason.GetString() ?? "" : "");
                _answer.TrySetCanceled();
                _connected.TrySetCanceled();
                break;
            case "ping":
                await SendAsync(new { type = "pong" }, CancellationToken.None);
                break;
            default:
                break;
        }
    }
}
