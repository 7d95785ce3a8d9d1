using System.Net;
using System.Net.WebSockets;

namespace Switchboard.Sip.Transport;

public sealed partial class SipTransportHub
{
    /// <summary>
    /// Runs a WebSocket the web layer accepted with subprotocol <c>sip</c> (RFC 7118 section 4) as a SIP flow of
    /// transport WS or WSS: registers it, hands each message to the receiver, writes queued messages as text frames,
    /// and returns when it closes (after <see cref="ISipReceiver.OnFlowClosed"/>). The caller keeps ownership of the
    /// socket object and disposes it afterwards.
    /// </summary>
    public async Task RunWebSocketAsync(WebSocket socket, IPEndPoint local, IPEndPoint remote, bool secure, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        var kind = secure ? SipTransportKind.Wss : SipTransportKind.Ws;
        var connection = new SipWebSocketConnection(NextConnectionId(), socket, kind, local, remote, _options, _time);
        if (!TryRegister(connection))
        {
            socket.Abort();
            connection.Dispose();
            return;
        }
        _byRemote[(kind, remote)] = connection;
        using var link = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
        using var registration = link.Token.Register(() => connection.Close(SipConnectionCloseReason.Shutdown));
        var run = connection.RunAsync(this);
        connection.Completion = run;
        try
        {
            await run.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Only the receiver throws past the loops' own handlers: log it; the connection is closed by then.
            SipTransportLog.ReceiverFailed(_logger, kind, remote, e);
        }
        finally
        {
            Unregister(connection);
        }
    }
}
