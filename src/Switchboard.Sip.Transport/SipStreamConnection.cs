using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Transport;

/// <summary>
/// A SIP flow over a byte stream (TCP, or TLS over TCP): a read loop that frames messages with
/// <see cref="SipStreamFramer"/> (RFC 3261 section 18.3) and answers CRLF CRLF pings with a CRLF pong
/// (RFC 5626 section 4.4.1), and a writer loop that drains the send queue.
/// </summary>
internal sealed class SipStreamConnection : SipConnection
{
    private readonly SipStreamFramer _framer;

    public SipStreamConnection(long id, SipTransportKind kind, IPEndPoint local, IPEndPoint remote, bool inbound, SipTransportOptions options, SipStreamFramer framer, TimeProvider time)
        : base(id, kind, local, remote, inbound, options.SendQueueLimit, time)
    {
        _framer = framer;
    }

    /// <summary>
    /// Establishes the stream (connect, TLS handshake) with <paramref name="establish"/>, then runs both loops until the
    /// connection closes. A failed connect or handshake closes it with its reason and is rethrown for the hub to log.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task<(Stream Stream, IPEndPoint Local)>> establish, ISipConnectionHost host)
    {
        Stream stream;
        try
        {
            (stream, var local) = await establish(Stopping).ConfigureAwait(false);
            SetLocal(local);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            Close(Inbound ? SipConnectionCloseReason.HandshakeFailed : SipConnectionCloseReason.ConnectFailed);
            throw;
        }
        await using (stream.ConfigureAwait(false))
        {
            Touch();
            await RunLoopsAsync(() => ReadLoopAsync(stream, host), () => WriteLoopAsync(stream)).ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync(Stream stream, ISipConnectionHost host)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(Stopping).ConfigureAwait(false);
                Touch();
                var buffer = result.Buffer;
                var ok = ConsumeFrames(ref buffer, host);
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (!ok)
                {
                    Close(SipConnectionCloseReason.FramingError);
                    return;
                }
                if (result.IsCompleted)
                {
                    Close(SipConnectionCloseReason.PeerClosed);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Closed by someone else: the reason is already set.
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Close(SipConnectionCloseReason.IoError);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Hands every whole frame at the start of <paramref name="buffer"/> on; false on a framing error.</summary>
    private bool ConsumeFrames(ref ReadOnlySequence<byte> buffer, ISipConnectionHost host)
    {
        while (!buffer.IsEmpty)
        {
            var frame = _framer.Scan(buffer);
            switch (frame.Status)
            {
                case SipFrameStatus.NeedMoreData:
                    return true;
                case SipFrameStatus.Error:
                    host.FrameRejected(this, frame.Error);
                    return false;
                case SipFrameStatus.Ping:
                    TryEnqueuePong();
                    host.KeepAliveReceived(this);
                    break;
                case SipFrameStatus.Pong:
                    host.KeepAliveReceived(this);
                    break;
                default:
                    Deliver(buffer.Slice(0, frame.Length), host);
                    break;
            }
            buffer = buffer.Slice(frame.Consumed);
        }
        return true;
    }

    private void Deliver(in ReadOnlySequence<byte> message, ISipConnectionHost host)
    {
        if (message.IsSingleSegment)
        {
            host.Deliver(this, message.FirstSpan);
            return;
        }
        var length = (int)message.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            message.CopyTo(rented);
            host.Deliver(this, rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private async Task WriteLoopAsync(Stream stream)
    {
        try
        {
            while (await Outbound.WaitToReadAsync(Stopping).ConfigureAwait(false))
            {
                while (Outbound.TryRead(out var message))
                {
                    await stream.WriteAsync(message, Stopping).ConfigureAwait(false);
                }
                await stream.FlushAsync(Stopping).ConfigureAwait(false);
                Touch();
            }
        }
        catch (OperationCanceledException)
        {
            // Closed by someone else.
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Close(SipConnectionCloseReason.IoError);
        }
    }
}
