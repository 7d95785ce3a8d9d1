using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.MediaLoad.RtpEngine;

/// <summary>
/// rtpengine's ng control protocol over loopback UDP: "cookie SP bencoded-dictionary" both ways, the reply carrying
/// the request's cookie. A request is resent after 1 s (UDP), up to its timeout.
/// </summary>
internal sealed class NgClient : IAsyncDisposable
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Dictionary<string, object>>> _waiting = new(StringComparer.Ordinal);
    private readonly IPEndPoint _engine;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private long _cookie;

    public NgClient(IPEndPoint engine)
    {
        _engine = engine;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _receiving = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Sends one command; the reply dictionary, or null on timeout.</summary>
    public async Task<Dictionary<string, object>?> RequestAsync(Dictionary<string, object> command, TimeSpan timeout, CancellationToken ct)
    {
        var cookie = "c" + Interlocked.Increment(ref _cookie).ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder(cookie).Append(' ');
        Bencode.Write(text, command);
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var reply = new TaskCompletionSource<Dictionary<string, object>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[cookie] = reply;
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout);
            while (true)
            {
                await _socket.SendToAsync(bytes, SocketFlags.None, _engine, limit.Token);
                try
                {
                    return await reply.Task.WaitAsync(Retry, limit.Token);
                }
                catch (TimeoutException)
                {
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            _waiting.TryRemove(cookie, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _receiving;
        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[65_536];
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var text = Encoding.UTF8.GetString(buffer, 0, length);
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            var position = space + 1;
            if (space > 0 && _waiting.TryGetValue(text[..space], out var waiter) && Bencode.TryRead(text, ref position, out var value) && value is Dictionary<string, object> reply)
            {
                waiter.TrySetResult(reply);
            }
        }
    }
}
