using System.Net;
using System.Net.WebSockets;

namespace Switchboard.Pbx.Sip;

/// <summary>
/// Takes a WebSocket that the web server accepted with subprotocol <c>sip</c> (RFC 7118 section 4) and runs it as a
/// SIP flow until it closes. Implemented by the SIP transports; the web layer only accepts and hands over.
/// </summary>
public interface ISipWebSocketHost
{
    Task RunAsync(WebSocket socket, IPEndPoint local, IPEndPoint remote, bool secure, CancellationToken ct);
}
