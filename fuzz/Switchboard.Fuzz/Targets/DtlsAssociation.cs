using Switchboard.Media.Dtls;

namespace Switchboard.Fuzz.Targets;

/// <summary>A server and a client endpoint wired back to back in memory until their handshake completes.</summary>
internal sealed class DtlsAssociation : IDisposable
{
    private static readonly Lazy<DtlsCertificate> ServerCertificate = new(() => DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1)));
    private static readonly Lazy<DtlsCertificate> ClientCertificate = new(() => DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1)));

    private readonly TaskCompletionSource _serverDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _clientDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _outgoing = new(0);
    private volatile bool _ended;

    private DtlsAssociation(DtlsHandshakePool pool)
    {
        Server = BouncyCastleDtlsEndpoint.CreateServer(new DtlsEndpointOptions
        {
            Certificate = ServerCertificate.Value,
            ExpectedRemoteFingerprints = [ClientCertificate.Value.Fingerprint],
            HandshakePool = pool,
        });
        Client = BouncyCastleDtlsEndpoint.CreateClient(new DtlsEndpointOptions
        {
            Certificate = ClientCertificate.Value,
            ExpectedRemoteFingerprints = [ServerCertificate.Value.Fingerprint],
            HandshakePool = pool,
        });
        Watch(Server, _serverDone);
        Watch(Client, _clientDone);
    }

    public BouncyCastleDtlsEndpoint Server { get; }

    public BouncyCastleDtlsEndpoint Client { get; }

    /// <summary>The server's association ended (an alert, close_notify) or its handshake failed.</summary>
    public bool Ended => _ended;

    public static async Task<DtlsAssociation> EstablishAsync(DtlsHandshakePool pool, TimeSpan bound)
    {
        var association = new DtlsAssociation(pool);
        try
        {
            await association.HandshakeAsync(bound).ConfigureAwait(false);
            return association;
        }
        catch
        {
            association.Dispose();
            throw;
        }
    }

    private async Task HandshakeAsync(TimeSpan bound)
    {
        using var deadline = new CancellationTokenSource(bound);
        Server.Start();
        Client.Start();
        var both = Task.WhenAll(_serverDone.Task, _clientDone.Task);
        var buffer = new byte[DtlsLimits.MaxDatagramSize];
        while (!both.IsCompleted)
        {
            // Move whatever either side queued, then wait for more (an OutgoingAvailable) or a completion.
            Move(Client, Server, buffer);
            Move(Server, Client, buffer);
            await Task.WhenAny(both, _outgoing.WaitAsync(TimeSpan.FromMilliseconds(50), deadline.Token)).ConfigureAwait(false);
            deadline.Token.ThrowIfCancellationRequested();
        }

        await both.ConfigureAwait(false);
        Move(Client, Server, buffer);
        Move(Server, Client, buffer);
    }

    private static void Move(BouncyCastleDtlsEndpoint from, BouncyCastleDtlsEndpoint to, byte[] buffer)
    {
        while (from.TryDequeueOutgoing(buffer, out var length))
        {
            _ = to.OnDatagram(buffer.AsSpan(0, length));
        }
    }

    private void Watch(BouncyCastleDtlsEndpoint endpoint, TaskCompletionSource done)
    {
        endpoint.OutgoingAvailable += () => _outgoing.Release();
        endpoint.HandshakeCompleted += _ => done.TrySetResult();
        endpoint.Failed += failure =>
        {
            _ended = true;
            done.TrySetException(new InvalidOperationException($"{endpoint.Role} handshake failed: {failure}"));
        };
        endpoint.Closed += _ => _ended = true;
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
        _outgoing.Dispose();
    }
}
