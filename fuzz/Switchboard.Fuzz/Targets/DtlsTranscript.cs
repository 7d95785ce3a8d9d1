using Switchboard.Media.Dtls;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// One real handshake between a client endpoint and a server endpoint (fixed-seed crypto) wired back to
/// back in memory, with the datagrams the client sent, in order. Fed to a new server endpoint with the
/// same options, they complete the same handshake again without a client (<see cref="DtlsAssociation"/>).
/// </summary>
internal sealed class DtlsTranscript
{
    private DtlsTranscript(IReadOnlyList<byte[]> clientDatagrams) => ClientDatagrams = clientDatagrams;

    /// <summary>What the client sent, in the order the server received it.</summary>
    public IReadOnlyList<byte[]> ClientDatagrams { get; }

    public static async Task<DtlsTranscript> RecordAsync(DtlsHandshakePool pool, TimeSpan bound)
    {
        var recorded = new List<byte[]>();
        using var wake = new SemaphoreSlim(0);
        var serverDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clientDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = BouncyCastleDtlsEndpoint.CreateServer(DtlsAssociation.ServerOptions(pool));
        var client = BouncyCastleDtlsEndpoint.CreateClient(new DtlsEndpointOptions
        {
            Certificate = DtlsAssociation.ClientCertificate,
            ExpectedRemoteFingerprints = [DtlsAssociation.ServerCertificate.Fingerprint],
            HandshakePool = pool,
        });
        try
        {
            Watch(server, serverDone, wake);
            Watch(client, clientDone, wake);
            using var deadline = new CancellationTokenSource(bound);
            server.Start();
            client.Start();
            var both = Task.WhenAll(serverDone.Task, clientDone.Task);
            var buffer = new byte[DtlsLimits.MaxDatagramSize];
            while (!both.IsCompleted)
            {
                Move(client, server, buffer, recorded);
                Move(server, client, buffer, null);
                await Task.WhenAny(both, wake.WaitAsync(TimeSpan.FromMilliseconds(50), deadline.Token)).ConfigureAwait(false);
                deadline.Token.ThrowIfCancellationRequested();
            }

            await both.ConfigureAwait(false);

            // The worker hands the record layer over after the completion event; wait for that too.
            await server.Completion.WaitAsync(deadline.Token).ConfigureAwait(false);
            Move(client, server, buffer, recorded);
            return new DtlsTranscript(recorded);
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }

    private static void Move(BouncyCastleDtlsEndpoint from, BouncyCastleDtlsEndpoint to, byte[] buffer, List<byte[]>? record)
    {
        while (from.TryDequeueOutgoing(buffer, out var length))
        {
            record?.Add(buffer.AsSpan(0, length).ToArray());
            _ = to.OnDatagram(buffer.AsSpan(0, length));
        }
    }

    private static void Watch(BouncyCastleDtlsEndpoint endpoint, TaskCompletionSource done, SemaphoreSlim wake)
    {
        endpoint.OutgoingAvailable += () => wake.Release();
        endpoint.HandshakeCompleted += _ => done.TrySetResult();
        endpoint.Failed += failure => done.TrySetException(new InvalidOperationException($"{endpoint.Role} handshake failed: {failure}"));
    }
}
