using System.Net;

namespace Switchboard.Sip.Transport;

/// <summary>
/// The path one message came in on, or goes out on: the transport, our address, the peer's address and,
/// for a connection-oriented transport, which connection (the "flow" of RFC 5626 section 3). Replies and
/// requests to a registered contact go back on the flow the phone used, so phones behind NAT are reached
/// (RFC 3261 section 18.2.2, RFC 3581). <see cref="ConnectionId"/> is 0 for UDP.
/// </summary>
public readonly record struct SipFlow(SipTransportKind Transport, IPEndPoint Local, IPEndPoint Remote, long ConnectionId = 0)
{
    public bool IsReliable => Transport.IsReliable();

    public override string ToString() => $"{Transport.ViaToken()} {Local}->{Remote}#{ConnectionId}";
}
