using System.Net;
using System.Net.Sockets;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;

namespace Switchboard.SipLoad;

/// <summary>
/// One loopback UDP socket and its receive loop: every datagram is parsed and handed to a callback on the loop's
/// thread, so a handful of sockets carry thousands of calls without a task per call.
/// </summary>
internal sealed class SipUdpSocket : IDisposable
{
    // Large kernel buffers: at 1000 calls/s bursts of retransmissions must not overflow the default 208 KB.
    private const int KernelBufferBytes = 8 * 1024 * 1024;
    private static readonly IPEndPoint AnyRemote = new(IPAddress.Any, 0);
    private readonly Socket _socket;

    public SipUdpSocket()
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
        {
            ReceiveBufferSize = KernelBufferBytes,
            SendBufferSize = KernelBufferBytes,
        };
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Local = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint Local { get; }

    /// <summary>Datagrams that did not parse as SIP.</summary>
    public long Unparsed { get; private set; }

    public void Send(SipMessage message, IPEndPoint to) => _socket.SendTo(message.Raw.Span, SocketFlags.None, to);

    /// <summary>Receives until <paramref name="ct"/> is cancelled or the socket is closed.</summary>
    public async Task ReceiveLoopAsync(Action<SipMessage, IPEndPoint> onMessage, CancellationToken ct)
    {
        var buffer = new byte[65_536];
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, AnyRemote, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            // The parsed message keeps its bytes, so each datagram gets its own copy (the tool, not the PBX, pays).
            var parsed = SipParser.Parse(buffer.AsMemory(0, received.ReceivedBytes).ToArray().AsMemory());
            if (parsed.IsSuccess)
            {
                onMessage(parsed.Message!, (IPEndPoint)received.RemoteEndPoint);
            }
            else
            {
                Unparsed++;
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
