using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Sessions;
using Switchboard.Pbx.Tokens;
using Switchboard.Web.Hosting;

namespace Switchboard.Web.Calls;

/// <summary>
/// One popup's call socket. Three loops, each with one job: the receive loop reads the page's
/// messages, the send loop is the only writer to the socket (everything else posts to its outbox),
/// and the keep-alive loop pings and watches for silence. The call itself is owned by the PBX; its
/// events reach this socket through the call's <see cref="CallAttachment"/>, which outlives a socket
/// that drops and hands the call to the socket that resumes it.
/// </summary>
internal sealed partial class CallSocketConnection : ICallSocket, IDisposable
{
    private const int MaxMessageBytes = 64 * 1024;
    private const int FirstReadBytes = 4 * 1024;
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    private readonly WebSocket _socket;
    private readonly CallTicket? _ticket;
    private readonly CallAttachment? _resuming;
    private readonly ResumableCalls _resumable;
    private readonly CallEngine _engine;
    private readonly CallTokenService _tokens;
    private readonly WebOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Channel<byte[]> _outbox = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(64) { SingleReader = true });
    private readonly CancellationTokenSource _stop;
    private ICallControl? _call;
    private CallAttachment? _attachment;
    private bool _pageHungUp;
    private long _lastHeardTicks;

    /// <param name="ticket">What allows a new call; null when there is none (or the socket resumes a call).</param>
    /// <param name="resuming">The call this socket resumes (its token was redeemed), or null.</param>
    public CallSocketConnection(WebSocket socket, CallTicket? ticket, CallAttachment? resuming, ResumableCalls resumable, CallEngine engine,
        CallTokenService tokens, WebOptions options, TimeProvider time, ILogger log)
    {
        _socket = socket;
        _ticket = ticket;
        _resuming = resuming;
        _resumable = resumable;
        _engine = engine;
        _tokens = tokens;
        _options = options;
        _time = time;
        _log = log;
        _lastHeardTicks = time.GetTimestamp();
        _stop = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    public async Task RunAsync(CancellationToken aborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _stop.Token);
        var sending = SendLoopAsync();
        var keepAlive = KeepAliveLoopAsync(linked.Token);
        try
        {
            if (_resuming is not null && await _resuming.AttachAsync(this))
            {
                _attachment = _resuming;
                _call = _resuming.Call;
            }
            else if (_ticket is null)
            {
                await EndAsync(CallEndReason.Unauthorized);
            }

            await ReceiveLoopAsync(linked.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The page went away; below, its call waits for it to come back, or is hung up.
        }
        finally
        {
            await LetGoOfCallAsync();

            _outbox.Writer.TryComplete();
            await _stop.CancelAsync();
            await sending;
            await keepAlive;
        }
    }

    public void Dispose() => _stop.Dispose();

    /// <summary>Another socket of the page resumed the call: this one stops (its call is not hung up).</summary>
    public void Abandon()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished on its own meanwhile.
        }
    }

    /// <summary>
    /// The socket closed. A call the page hung up, or that is over, is hung up and awaited as before; a call that
    /// lost its socket without <c>ended</c> waits for the page to resume it (<see cref="CallAttachment.Detach"/>).
    /// </summary>
    private async Task LetGoOfCallAsync()
    {
        if (_call is null || _attachment is null)
        {
            return;
        }

        var outcome = _pageHungUp ? DetachOutcome.Ended : _attachment.Detach(this);
        if (outcome == DetachOutcome.Ended)
        {
            _call.Hangup();
            await _call.Completion;
        }
    }

    public async ValueTask EndAsync(CallEndReason reason)
    {
        await PostAsync(new { type = "ended", reason = reason.ToCode() });
        _outbox.Writer.TryComplete();
    }

    /// <summary>
    /// Reads the page's messages. An idle call holds no buffer: the loop waits with a zero-byte read,
    /// then rents one for the message (<see cref="FirstReadBytes"/>, grown up to
    /// <see cref="MaxMessageBytes"/> when a message is longer) and returns it once the message is
    /// handled. A fixed 64 KB array per socket was the largest single allocation of a WebRTC call
    /// (docs/benchmarks-media-load.md, "Memory per call").
    /// </summary>
    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            var waited = await _socket.ReceiveAsync(Memory<byte>.Empty, ct);
            if (waited.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            var buffer = ArrayPool<byte>.Shared.Rent(FirstReadBytes);
            try
            {
                var length = 0;
                ValueWebSocketReceiveResult result = waited;
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close)
                {
                    var capacity = Math.Min(buffer.Length, MaxMessageBytes);
                    if (length == capacity)
                    {
                        if (capacity == MaxMessageBytes)
                        {
                            await CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big");
                            return;
                        }

                        buffer = Grow(buffer, length);
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(length, Math.Min(buffer.Length, MaxMessageBytes) - length), ct);
                    length += result.Count;
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                Interlocked.Exchange(ref _lastHeardTicks, _time.GetTimestamp());
                if (result.MessageType == WebSocketMessageType.Text)
                {
                    await HandleAsync(buffer.AsMemory(0, length));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>A rented buffer twice as large (at most <see cref="MaxMessageBytes"/>) holding the first <paramref name="length"/> bytes; the old one goes back to the pool.</summary>
    private static byte[] Grow(byte[] buffer, int length)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxMessageBytes));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> json)
    {
        PageMessage message;
        try
        {
            message = JsonSerializer.Deserialize<PageMessage>(json.Span, JsonSerializerOptions.Web) ?? new PageMessage(null, null, null);
        }
        catch (JsonException)
        {
            LogBadMessage(_log);
            return;
        }

        switch (message.Type)
        {
            case "ping":
                await PostAsync(new { type = "pong" });
                break;
            case "pong":
                break;
            case "call" when _call is null && _ticket is not null:
                await StartCallAsync(message);
                break;
            case "phases":
                // The page's set-up marks: checked, kept for the record, never able to end the call.
                if (_call is { } call && PagePhases.TryParse(json, out var phases))
                {
                    call.ReportPagePhases(phases!);
                }
                else
                {
                    LogBadMessage(_log);
                }

                break;
            case "quality":
                // The page's own view of the audio (getStats): checked, the last kept for the record, never able to end the call.
                if (_call is { } measured && PageQuality.TryParse(json, out var quality))
                {
                    measured.ReportPageQuality(quality!);
                }
                else
                {
                    LogBadMessage(_log);
                }

                break;
            case "offer" when _call is not null && !string.IsNullOrEmpty(message.Sdp):
                await RestartIceAsync(_call, message.Sdp);
                break;
            case "hangup":
                if (_call is null)
                {
                    await EndAsync(CallEndReason.Hangup);
                }

                _pageHungUp = true;
                _call?.Hangup();
                break;
            default:
                LogBadMessage(_log);
                break;
        }
    }

    private async Task StartCallAsync(PageMessage message)
    {
        if (!Names.IsDialString(message.Destnumber) || string.IsNullOrEmpty(message.Sdp))
        {
            await EndAsync(string.IsNullOrEmpty(message.Sdp) ? CallEndReason.BadOffer : CallEndReason.NotFound);
            return;
        }

        // A call token is used up here, as its call starts (docs/tokens.md): a page reloaded before this point keeps it,
        // and so does a call to another number, which the dial plan refuses (the ticket grants only the token's).
        if (_ticket!.Token is { } token && string.Equals(_ticket.OnlyDestination, message.Destnumber, StringComparison.Ordinal) &&
            !await _tokens.ConsumeAsync(token.Hash))
        {
            LogTokenUsed(_log);
            await PostAsync(new { type = "ended", reason = "token_used" });
            _outbox.Writer.TryComplete();
            return;
        }

        var request = new CallRequest(_ticket.Caller, message.Destnumber!, message.Sdp, _ticket.Origin, _ticket.OnlyDestination)
        {
            TokenLabel = _ticket.Token?.Label,
            MaxDuration = _ticket.Token?.MaxDuration,
        };
        _attachment = new CallAttachment(this, _resumable, _time, _options.ResumeGrace, _log);
        _call = _engine.Start(request, _attachment);
        _attachment.Call = _call;
    }

    /// <summary>
    /// The page's ICE restart (its network changed, RFC 8445 section 9): our answer with new ICE credentials, or
    /// <c>offer_refused</c> with the reason, the call going on as it was.
    /// </summary>
    private async Task RestartIceAsync(ICallControl call, string offerSdp)
    {
        var result = await call.RestartIceAsync(offerSdp);
        await PostAsync(result.Accepted
            ? new { type = "answer", sdp = result.AnswerSdp }
            : new { type = "offer_refused", reason = result.Refusal });
    }

    public async ValueTask PostAsync(object message)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, JsonSerializerOptions.Web);
        try
        {
            await _outbox.Writer.WriteAsync(bytes, _stop.Token);
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException or ObjectDisposedException)
        {
            // The socket is closing; a late event has nobody to go to.
        }
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var bytes in _outbox.Reader.ReadAllAsync())
            {
                if (_socket.State != WebSocketState.Open)
                {
                    break;
                }

                await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }

            await CloseAsync(WebSocketCloseStatus.NormalClosure, "call ended");

            // The page answers our close frame and the receive loop ends; a page that does not is cut off.
            _stop.CancelAfter(CloseHandshakeTimeout);
        }
        catch (WebSocketException)
        {
            await _stop.CancelAsync();
        }
    }

    private async Task KeepAliveLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.PingInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (_time.GetElapsedTime(Interlocked.Read(ref _lastHeardTicks)) > _options.IdleTimeout)
                {
                    LogSilent(_log);
                    await _stop.CancelAsync();
                    return;
                }

                await PostAsync(new { type = "ping" });
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string description)
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var deadline = new CancellationTokenSource(CloseHandshakeTimeout, _time);
            try
            {
                await _socket.CloseOutputAsync(status, description, deadline.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Closing a socket the page already dropped.
            }
        }
    }

    private sealed record PageMessage(string? Type, string? Destnumber, string? Sdp);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Debug, Message = "Ignored an unreadable or unexpected call-socket message")]
    private static partial void LogBadMessage(ILogger logger);

    [LoggerMessage(EventId = 3055, Level = LogLevel.Warning, Message = "Call refused: its call token was used by another call first")]
    private static partial void LogTokenUsed(ILogger logger);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Information, Message = "Call socket silent past the idle timeout; hanging up")]
    private static partial void LogSilent(ILogger logger);
}
