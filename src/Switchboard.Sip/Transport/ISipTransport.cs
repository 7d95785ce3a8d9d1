using System.Net;

namespace Switchboard.Sip.Transport;

/// <summary>
/// What the SIP endpoint needs from the transports: send a whole message on a flow, and find the flow for a
/// new request. Implementations are socket adapters (UDP, TCP, TLS, WebSocket) or an in-memory network for tests.
/// Thread-safe; never blocks on the network.
/// </summary>
public interface ISipTransport
{
    /// <summary>
    /// Queues one whole message on <paramref name="flow"/>. UDP: a datagram to the flow's remote address from the
    /// socket bound at its local address. TCP, TLS, WS: on connection <see cref="SipFlow.ConnectionId"/> while it
    /// is open; for TCP and TLS, when that connection is gone (or the id is 0), on a connection to the remote
    /// address, opened if need be. False when the message cannot be queued (transport not enabled, WebSocket
    /// connection gone, send queue full).
    /// </summary>
    bool TrySend(in SipFlow flow, ReadOnlySpan<byte> message);

    /// <summary>The flow a new request to <paramref name="remote"/> over <paramref name="transport"/> leaves on; null if that transport is not enabled.</summary>
    SipFlow? CreateFlow(SipTransportKind transport, IPEndPoint remote);

    /// <summary>The host:port to put in Via sent-by and Contact for messages sent over <paramref name="transport"/>; null if not enabled.</summary>
    string? SentBy(SipTransportKind transport);
}

/// <summary>Where transports deliver what they receive. Called from transport threads: must not block.</summary>
public interface ISipReceiver
{
    /// <summary>
    /// One complete message: a datagram, or one frame cut from a stream by the framer (CRLF keep-alives are
    /// answered by the transport and never reach here). The bytes are valid only during the call.
    /// </summary>
    void OnReceived(in SipFlow flow, ReadOnlySpan<byte> message);

    /// <summary>A connection-oriented flow closed (peer closed, error, idle): registrations bound to it are stale.</summary>
    void OnFlowClosed(in SipFlow flow);
}

/// <summary>A transport that checks TLS servers by name: who we meant to reach at an address (RFC 5922 section 7.2).</summary>
public interface ISipServerNames
{
    void SetServerName(IPEndPoint remote, string hostName);
}
