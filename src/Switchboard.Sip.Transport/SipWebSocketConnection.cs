using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Transport;

/// <summary>
/// A SIP flow over a WebSocket the web layer accepted (RFC 7118): each text or binary message is exactly one SIP
/// message (section 5.2), so no stream framing is needed; outbound messages go as text frames.
/// </summary>
internal sealed class SipWebSocketConnection : SipConnection
{
    private readonly WebSocket _socket;
    private readonly int _maxMessageSize;

    public SipWebSocketConnection(long id, WebSocket socket, SipTransportKind kind, IPEndPoint local, IPEndPoint remote, SipTransportOptions options, TimeProvider time)
        : base(id, kind, local, remote, inbound: true, options.SendQueueLimit, time)
    {
        _socket = socket;
        _maxMessageSize = options.MaxMessageSize;
    }

    public async Task RunAsync(ISipConnectionHost host)
    {
        await RunLoopsAsync(() => ReadLoopAsync(host), WriteLoopAsync).ConfigureAwait(false);
        await CloseSocketAsync().ConfigureAwait(false);
    }

    private async Task ReadLoopAsync(ISipConnectionHost host)
    {
        // One buffer per connection, one byte larger than the limit so an oversize message is seen as such.
        var buffer = ArrayPool<byte>.Shared.Rent(_maxMessageSize + 1);
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length, _maxMessageSize + 1 - length), Stopping).ConfigureAwait(false);
                    length += result.Count;
                }
                while (!result.EndOfMessage && length <= _maxMessageSize && result.MessageType != WebSocketMessageType.Close);
                Touch();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Close(SipConnectionCloseReason.PeerClosed);
                    return;
                }
                if (length > _maxMessageSize)
                {
                    host.FrameRejected(this, SipParseError.MessageTooLarge);
                    Close(SipConnectionCloseReason.MessageTooLarge);
                    return;
                }
                HandleMessage(buffer.AsSpan(0, length), host);
            }
        }
        catch (OperationCanceledException)
        {
            // Closed by someone else.
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            Close(SipConnectionCloseReason.IoError);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// RFC 7118 needs no keep-alive of its own, but SIP.js and others send the RFC 5626 CRLF CRLF ping as a message:
    /// answer it with a CRLF pong, and never forward line ends alone.
    /// </summary>
    private void HandleMessage(ReadOnlySpan<byte> message, ISipConnectionHost host)
    {
        if (message.IndexOfAnyExcept("\r\n \t"u8) >= 0)
        {
            host.Deliver(this, message);
            return;
        }
        if (message.SequenceEqual("\r\n\r\n"u8)) TryEnqueuePong();
        host.KeepAliveReceived(this);
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (await Outbound.WaitToReadAsync(Stopping).ConfigureAwait(false))
            {
                while (Outbound.TryRead(out var message))
                {
                    await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, Stopping).ConfigureAwait(false);
                }
                Touch();
            }
        }
        catch (OperationCanceledException)
        {
            // Closed by someone else.
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            Close(SipConnectionCloseReason.IoError);
        }
    }

    /// <summary>Says goodbye politely when the socket is still open, bounded so a silent peer cannot hold us.</summary>
    private async Task CloseSocketAsync()
    {
        if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        var status = CloseReason == SipConnectionCloseReason.MessageTooLarge ? WebSocketCloseStatus.MessageTooBig : WebSocketCloseStatus.NormalClosure;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _socket.CloseOutputAsync(status, null, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer is gone already: nothing more to say.
        }
    }
}
