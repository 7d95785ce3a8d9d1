using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Switchboard.Sip.Transport;

public sealed partial class SipTransportHub
{
    private readonly List<Socket> _listeners = [];

    private bool StreamEnabled(SipTransportKind transport) =>
        (transport == SipTransportKind.Tcp ? _options.TcpPort : _options.TlsPort) is not null && !_stopping.IsCancellationRequested;

    private int StartListener(SipTransportKind transport, int port)
    {
        var listener = new Socket(_options.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(_options.BindAddress, port));
        listener.Listen(512);
        _listeners.Add(listener);
        var local = (IPEndPoint)listener.LocalEndPoint!;
        SipTransportLog.Listening(_logger, transport, local);
        _loops.Add(Task.Run(() => AcceptLoopAsync(transport, listener, _stopping.Token)));
        return local.Port;
    }

    private async Task AcceptLoopAsync(SipTransportKind transport, Socket listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                SipTransportLog.AcceptFailed(_logger, transport, e.SocketErrorCode);
                continue;
            }
            socket.NoDelay = true;
            var connection = new SipStreamConnection(
                NextConnectionId(), transport, (IPEndPoint)socket.LocalEndPoint!, (IPEndPoint)socket.RemoteEndPoint!, inbound: true, _options, _framer, _time);
            if (!TryRegister(connection))
            {
                socket.Dispose();
                continue;
            }
            _byRemote[(transport, connection.Remote)] = connection;
            Run(connection, token => AcceptStreamAsync(transport, socket, token));
        }
    }

    /// <summary>
    /// TCP and TLS sends: on the flow's connection while it is open; else on an open connection to the same remote
    /// address (connection reuse, RFC 3261 section 18.1.1); else on a new outbound connection.
    /// </summary>
    private bool TrySendStream(in SipFlow flow, ReadOnlySpan<byte> message)
    {
        if (!StreamEnabled(flow.Transport))
        {
            SipTransportLog.TransportDisabled(_logger, flow.Transport, flow.Remote);
            return false;
        }
        if (flow.ConnectionId != 0 && _connections.TryGetValue(flow.ConnectionId, out var byId) && byId.Kind == flow.Transport && !byId.IsClosed)
        {
            return TryEnqueue(byId, message);
        }
        var key = (flow.Transport, flow.Remote);
        if (_byRemote.TryGetValue(key, out var reused) && !reused.IsClosed)
        {
            return TryEnqueue(reused, message);
        }
        var connection = new SipStreamConnection(
            NextConnectionId(), flow.Transport, new IPEndPoint(_options.BindAddress, 0), flow.Remote, inbound: false, _options, _framer, _time);
        // Queue before anyone can see the connection, so the first message is the first written.
        connection.TryEnqueue(message);
        // Two senders may race to open a connection to the same remote: the first registered wins, the other joins it.
        var winner = _byRemote.AddOrUpdate(key, connection, (_, existing) => existing.IsClosed ? connection : existing);
        if (winner != connection) return TryEnqueue(winner, message);
        if (!TryRegister(connection))
        {
            _byRemote.TryRemove(new KeyValuePair<(SipTransportKind, IPEndPoint), SipConnection>(key, connection));
            connection.Dispose();
            return false;
        }
        var transport = flow.Transport;
        var remote = flow.Remote;
        Run(connection, token => ConnectStreamAsync(transport, remote, token));
        return true;
    }

    private void Run(SipStreamConnection connection, Func<CancellationToken, Task<(Stream Stream, IPEndPoint Local)>> establish)
    {
        connection.Completion = Task.Run(async () =>
        {
            try
            {
                await connection.RunAsync(establish, this).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or AuthenticationException)
            {
                SipTransportLog.EstablishFailed(_logger, connection.Kind, connection.Id, connection.Remote, e);
            }
            catch (Exception e)
            {
                // Only the receiver throws past the loops' own handlers: log it, and the connection is closed.
                SipTransportLog.ReceiverFailed(_logger, connection.Kind, connection.Remote, e);
            }
            finally
            {
                Unregister(connection);
            }
        });
    }

    /// <summary>The accepted socket as a stream; for TLS after the server handshake, within the handshake deadline.</summary>
    private async Task<(Stream Stream, IPEndPoint Local)> AcceptStreamAsync(SipTransportKind transport, Socket socket, CancellationToken ct)
    {
        var local = (IPEndPoint)socket.LocalEndPoint!;
        var network = new NetworkStream(socket, ownsSocket: true);
        if (transport == SipTransportKind.Tcp) return (network, local);
        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            using var deadline = Deadline(ct);
            await tls.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions { ServerCertificate = _options.TlsCertificate, ClientCertificateRequired = false },
                deadline.Token).ConfigureAwait(false);
            return (tls, local);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Connects to <paramref name="remote"/> from the bind address; for TLS also the client handshake. Both within the deadline.</summary>
    private async Task<(Stream Stream, IPEndPoint Local)> ConnectStreamAsync(SipTransportKind transport, IPEndPoint remote, CancellationToken ct)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            if (remote.AddressFamily == _options.BindAddress.AddressFamily) socket.Bind(new IPEndPoint(_options.BindAddress, 0));
            using var deadline = Deadline(ct);
            await socket.ConnectAsync(remote, deadline.Token).ConfigureAwait(false);
            var local = (IPEndPoint)socket.LocalEndPoint!;
            stream = new NetworkStream(socket, ownsSocket: true);
            if (transport == SipTransportKind.Tcp) return (stream, local);
            var tls = new SslStream(stream, leaveInnerStreamOpen: false, ValidateServerCertificate);
            stream = tls;
            // RFC 5922 section 7.2: the certificate must name the host we meant (a trunk's proxy name), not the address it resolved to.
            var client = new SslClientAuthenticationOptions { TargetHost = _serverNames.GetValueOrDefault(remote) ?? remote.Address.ToString() };
            if (_options.TlsCertificate is { } certificate) client.ClientCertificates = [certificate];
            await tls.AuthenticateAsClientAsync(client, deadline.Token).ConfigureAwait(false);
            return (tls, local);
        }
        catch
        {
            if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
            else socket.Dispose();
            throw;
        }
    }

    private bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None || _options.AcceptAnyServerCertificate)
        {
            return true;
        }

        // A private CA (a lab carrier, tests): the chain may end at one of these roots instead of the system's; the name must still match.
        if (_options.TrustedRoots is not { Count: > 0 } roots || certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }

    private CancellationTokenSource Deadline(CancellationToken ct)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.HandshakeTimeout);
        return deadline;
    }
}
