using System.Net;
using System.Net.Sockets;

namespace Switchboard.Sip.Transport;

public sealed partial class SipTransportHub
{
    private Socket? _udp;
    private IPEndPoint? _udpLocal;
    private UdpSender? _externalSender;

    private int StartUdp(int port)
    {
        var socket = new Socket(_options.BindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // Bursts (a boot storm of phones, a scanner) must wait in the kernel, not be lost there before the guard and
        // the endpoint ever see them. Linux caps this at net.core.rmem_max (docs/security.md, "SIP flood guard").
        socket.ReceiveBufferSize = _options.UdpReceiveBufferSize;
        socket.Bind(new IPEndPoint(_options.BindAddress, port));
        _udp = socket;
        _udpLocal = (IPEndPoint)socket.LocalEndPoint!;
        SipTransportLog.Listening(_logger, SipTransportKind.Udp, _udpLocal);
        if (_options.ExternalUdpReceive)
        {
            _externalSender = new UdpSender(_udpLocal);
        }
        else
        {
            _loops.Add(Task.Run(() => UdpReceiveLoopAsync(socket, _udpLocal, _stopping.Token)));
        }

        return _udpLocal.Port;
    }

    /// <summary>The bound UDP socket, for a program that reads it itself (<see cref="SipTransportOptions.ExternalUdpReceive"/>); null before start or without UDP.</summary>
    public Socket? UdpSocket => _udp;

    /// <summary>
    /// One datagram the program read from <see cref="UdpSocket"/>, sent from <paramref name="source"/>: checked, counted and
    /// handed to the receiver like the hub's own. Called by the one reader of the socket.
    /// </summary>
    public void DeliverUdp(SocketAddress source, ReadOnlySpan<byte> datagram)
    {
        var sender = _externalSender ?? throw new InvalidOperationException("The hub reads its UDP socket itself (ExternalUdpReceive is off).");
        OnDatagram(sender.FlowFrom(source), datagram);
    }

    /// <summary>One reused buffer and one reused <see cref="SocketAddress"/>; the flow's endpoint only when the sender changes.</summary>
    private async Task UdpReceiveLoopAsync(Socket socket, IPEndPoint local, CancellationToken ct)
    {
        // One byte beyond the limit so that a datagram larger than a SIP message may be is seen as such.
        var buffer = GC.AllocateUninitializedArray<byte>(_options.MaxMessageSize + 1, pinned: true);
        var address = new SocketAddress(local.AddressFamily);
        var sender = new UdpSender(local);
        while (!ct.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, address, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // An ICMP port unreachable for an earlier send surfaces here on some platforms: keep listening.
                SipTransportLog.UdpReceiveFailed(_logger, e.SocketErrorCode);
                continue;
            }
            var flow = sender.FlowFrom(address);
            try
            {
                OnDatagram(flow, buffer.AsSpan(0, length));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A receiver bug must not stop UDP for everyone: log it and go on with the next datagram.
                SipTransportLog.ReceiverFailed(_logger, SipTransportKind.Udp, flow.Remote, e);
            }
        }
    }

    private void OnDatagram(in SipFlow flow, ReadOnlySpan<byte> datagram)
    {
        Counters.DatagramReceived();
        if (datagram.IsEmpty || datagram.Length > _options.MaxMessageSize)
        {
            Counters.DatagramDropped();
            SipTransportLog.DatagramDropped(_logger, datagram.Length, flow.Remote);
            return;
        }
        // A datagram of line ends and blanks is a keep-alive (RFC 5626 section 4.4.1 uses STUN on UDP, but phones send CRLF).
        if (datagram.IndexOfAnyExcept("\r\n \t"u8) < 0)
        {
            Counters.KeepAlive();
            SipTransportLog.KeepAlive(_logger, SipTransportKind.Udp, flow.Remote, 0);
            return;
        }
        SipTransportLog.Received(_logger, SipTransportKind.Udp, datagram.Length, flow.Remote, 0);
        Receiver.OnReceived(flow, datagram);
    }

    private bool TrySendUdp(IPEndPoint remote, ReadOnlySpan<byte> message)
    {
        var socket = _udp;
        if (socket is null)
        {
            SipTransportLog.TransportDisabled(_logger, SipTransportKind.Udp, remote);
            return false;
        }
        try
        {
            socket.SendTo(message, SocketFlags.None, remote);
            return true;
        }
        catch (SocketException e)
        {
            SipTransportLog.UdpSendFailed(_logger, remote, e.SocketErrorCode);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }
}
