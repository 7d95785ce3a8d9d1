using Switchboard.Media.Dtls;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// An established server endpoint made by replaying a <see cref="DtlsTranscript"/> into a new
/// <see cref="BouncyCastleDtlsEndpoint"/>: the real handshake runs on a pool worker as in the PBX (the
/// same server class, options, certificate check and hand-over to the owner), but no client has to run,
/// and with the fixed-seed crypto every association has the same keys (see <see cref="FixedSeedDtlsCrypto"/>).
/// </summary>
internal sealed class DtlsAssociation : IDisposable
{
    private static readonly Lazy<DtlsCertificate> ServerCertificateOnce = new(() => DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1)));
    private static readonly Lazy<DtlsCertificate> ClientCertificateOnce = new(() => DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1)));

    private DtlsAssociation(BouncyCastleDtlsEndpoint server, DtlsSrtpKeys keys)
    {
        Server = server;
        Keys = keys;
    }

    /// <summary>One certificate for every server of the process, as the PBX has (<see cref="DtlsCertificate.GetProcessCertificate"/>).</summary>
    public static DtlsCertificate ServerCertificate => ServerCertificateOnce.Value;

    public static DtlsCertificate ClientCertificate => ClientCertificateOnce.Value;

    public BouncyCastleDtlsEndpoint Server { get; }

    /// <summary>What the handshake exported: the same for every replay of one transcript.</summary>
    public DtlsSrtpKeys Keys { get; }

    /// <summary>The association ended (an alert, close_notify, a record the layer failed on): it takes no more input.</summary>
    public bool Ended => !Server.IsEstablished;

    public static DtlsEndpointOptions ServerOptions(DtlsHandshakePool pool) => new()
    {
        Certificate = ServerCertificate,
        ExpectedRemoteFingerprints = [ClientCertificate.Fingerprint],
        HandshakePool = pool,
        CryptoForTests = FixedSeedDtlsCrypto.Create,
    };

    /// <summary>Feeds the transcript to a new server and waits (bounded) until its worker has handed the record layer over.</summary>
    public static DtlsAssociation Replay(DtlsTranscript transcript, DtlsHandshakePool pool, TimeSpan bound, byte[] drain)
    {
        var server = BouncyCastleDtlsEndpoint.CreateServer(ServerOptions(pool));
        DtlsFailure? failure = null;
        DtlsSrtpKeys? keys = null;
        server.Failed += f => failure = f;
        server.HandshakeCompleted += k => keys = k;
        try
        {
            server.Start();
            foreach (var datagram in transcript.ClientDatagrams)
            {
                _ = server.OnDatagram(datagram);
            }

            if (!server.Completion.Wait(bound))
            {
                throw new TimeoutException($"The replayed DTLS handshake did not complete within {bound.TotalSeconds} s.");
            }

            if (!server.IsEstablished || keys is null)
            {
                throw new InvalidOperationException($"The replayed DTLS handshake did not establish: {failure?.ToString() ?? "no failure reported"}.");
            }

            // The server's flights went to a client that is not there; drop them as a lost network would.
            while (server.TryDequeueOutgoing(drain, out _))
            {
            }

            return new DtlsAssociation(server, keys);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public void Dispose() => Server.Dispose();
}
