using System.Net;

namespace Switchboard.Sip.Transport;

/// <summary>
/// The flow of the datagram just read on one UDP socket: the sender's <see cref="IPEndPoint"/> is made only when the
/// sender changes from the previous datagram's, so a run of datagrams from one peer allocates nothing. One reader only.
/// </summary>
internal sealed class UdpSender(IPEndPoint local)
{
    private SocketAddress? _lastAddress;
    private IPEndPoint? _lastRemote;

    public SipFlow FlowFrom(SocketAddress source)
    {
        if (_lastAddress is null || !source.Equals(_lastAddress))
        {
            _lastRemote = (IPEndPoint)local.Create(source);
            _lastAddress = _lastRemote.Serialize();
        }

        return new SipFlow(SipTransportKind.Udp, local, _lastRemote!);
    }
}
