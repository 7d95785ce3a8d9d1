using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Switchboard.Media.Dtls;

namespace Switchboard.Media.Tests.Dtls;

/// <summary>Records the events of one endpoint as tasks a test can await with a bound.</summary>
internal sealed class EndpointProbe
{
    public EndpointProbe(IDtlsEndpoint endpoint)
    {
        Endpoint = endpoint;
        endpoint.HandshakeCompleted += keys => Keys.TrySetResult(keys);
        endpoint.Failed += failure => Failure.TrySetResult(failure);
        endpoint.Closed += closed => Closed.TrySetResult(closed);
    }

    public IDtlsEndpoint Endpoint { get; }

    public TaskCompletionSource<DtlsSrtpKeys> Keys { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<DtlsFailure> Failure { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<DtlsClosed> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The keys, or a test failure naming the handshake failure / the timeout.</summary>
    public async Task<DtlsSrtpKeys> CompletedWithin(TimeSpan bound)
    {
        Task finished = await Task.WhenAny(Keys.Task, Failure.Task).WaitAsync(bound);
        Assert.False(finished == Failure.Task, $"{Endpoint.Role} failed: {(Failure.Task.IsCompleted ? await Failure.Task : null)}");
        return await Keys.Task;
    }

    /// <summary>The failure, or a test failure if the handshake completed or nothing happened in time.</summary>
    public async Task<DtlsFailure> FailedWithin(TimeSpan bound)
    {
        Task finished = await Task.WhenAny(Keys.Task, Failure.Task).WaitAsync(bound);
        Assert.False(finished == Keys.Task, $"{Endpoint.Role} unexpectedly completed the handshake.");
        return await Failure.Task;
    }
}

/// <summary>A client and a server endpoint wired through a <see cref="SimulatedLink"/>.</summary>
internal sealed class DtlsPair : IAsyncDisposable
{
    private static readonly Lazy<DtlsCertificate> s_serverCertificate = new(() => DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1)));
    private static readonly Lazy<DtlsCertificate> s_clientCertificate = new(() => DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1)));
    private static readonly Lazy<DtlsCertificate> s_strangerCertificate = new(() => DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1)));

    public static DtlsCertificate ServerCertificate => s_serverCertificate.Value;

    public static DtlsCertificate ClientCertificate => s_clientCertificate.Value;

    /// <summary>A certificate neither side uses: its fingerprint is a "wrong" one.</summary>
    public static DtlsCertificate StrangerCertificate => s_strangerCertificate.Value;

    public DtlsPair(DtlsEndpointOptions clientOptions, DtlsEndpointOptions serverOptions)
    {
        Client = BouncyCastleDtlsEndpoint.CreateClient(clientOptions);
        Server = BouncyCastleDtlsEndpoint.CreateServer(serverOptions);
        ClientProbe = new EndpointProbe(Client);
        ServerProbe = new EndpointProbe(Server);
        Link = new SimulatedLink(Client, Server);
    }

    public BouncyCastleDtlsEndpoint Client { get; }

    public BouncyCastleDtlsEndpoint Server { get; }

    public EndpointProbe ClientProbe { get; }

    public EndpointProbe ServerProbe { get; }

    public SimulatedLink Link { get; }

    /// <summary>Options for the client side (a stand-in browser): our client certificate, expecting the server's; <see cref="TestPeerPool"/> unless <paramref name="pool"/>.</summary>
    public static DtlsEndpointOptions ClientOptions(
        IReadOnlyList<ushort>? profiles = null,
        DtlsFingerprint? expectServer = null,
        int mtu = 1200,
        int padding = 0,
        bool legacyDtls10 = false,
        bool omitCertificate = false,
        TimeSpan? timeout = null,
        TimeProvider? time = null,
        DtlsHandshakePool? pool = null,
        Func<BcTlsCrypto>? crypto = null) => new()
        {
            CryptoForTests = crypto,
            Certificate = ClientCertificate,
            OmitClientCertificateForTests = omitCertificate,
            ExpectedRemoteFingerprints = [expectServer ?? ServerCertificate.Fingerprint],
            SrtpProfiles = profiles ?? DtlsSrtpProfile.DefaultPreference,
            MaxOutgoingDatagramSize = mtu,
            ClientHelloPaddingForTests = padding,
            LegacyDtls10ClientForTests = legacyDtls10,
            HandshakeTimeout = timeout ?? TimeSpan.FromSeconds(10),
            TimeProvider = time ?? TimeProvider.System,
            HandshakePool = pool ?? TestPeerPool.Instance,
        };

    /// <summary>Options for the server side: our server certificate, expecting the client's; the shared pool unless <paramref name="pool"/>.</summary>
    public static DtlsEndpointOptions ServerOptions(
        IReadOnlyList<ushort>? profiles = null,
        DtlsFingerprint? expectClient = null,
        TimeSpan? timeout = null,
        TimeProvider? time = null,
        DtlsHandshakePool? pool = null,
        Func<BcTlsCrypto>? crypto = null) => new()
        {
            CryptoForTests = crypto,
            Certificate = ServerCertificate,
            ExpectedRemoteFingerprints = [expectClient ?? ClientCertificate.Fingerprint],
            SrtpProfiles = profiles ?? DtlsSrtpProfile.DefaultPreference,
            HandshakeTimeout = timeout ?? TimeSpan.FromSeconds(10),
            TimeProvider = time ?? TimeProvider.System,
            HandshakePool = pool,
        };

    /// <summary>Starts the link, then the server, then the client (which sends the ClientHello).</summary>
    public void Start()
    {
        Link.Start();
        Server.Start();
        Client.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        await Server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        await Link.DisposeAsync();
    }
}
