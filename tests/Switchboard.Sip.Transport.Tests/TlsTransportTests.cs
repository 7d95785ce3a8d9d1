using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transport.Tests;

public sealed class TlsTransportTests
{
    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=switchboard.test", key, HashAlgorithmName.SHA256);
        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));
    }

    /// <summary>Two hubs with TLS listeners and certificates of their own; the client validates only if told to.</summary>
    private sealed class TlsPair : IAsyncDisposable
    {
        private readonly X509Certificate2 _serverCertificate = SelfSigned();
        private readonly X509Certificate2 _clientCertificate = SelfSigned();

        private TlsPair(bool clientAcceptsAny)
        {
            Server = new SipTransportHub(new SipTransportOptions { TlsPort = 0, TlsCertificate = _serverCertificate });
            Client = new SipTransportHub(new SipTransportOptions { TlsPort = 0, TlsCertificate = _clientCertificate, AcceptAnyServerCertificate = clientAcceptsAny });
        }

        public SipTransportHub Server { get; }

        public SipTransportHub Client { get; }

        public RecordingReceiver AtServer { get; } = new();

        public RecordingReceiver AtClient { get; } = new();

        public IPEndPoint ServerAddress => new(IPAddress.Loopback, Server.TlsPort!.Value);

        public static async Task<TlsPair> StartAsync(bool clientAcceptsAny)
        {
            var pair = new TlsPair(clientAcceptsAny);
            await pair.Server.StartAsync(pair.AtServer, CancellationToken.None);
            await pair.Client.StartAsync(pair.AtClient, CancellationToken.None);
            return pair;
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
            _serverCertificate.Dispose();
            _clientCertificate.Dispose();
        }
    }

    [Fact]
    public async Task Two_hubs_exchange_a_request_and_its_reply_over_tls()
    {
        await using var pair = await TlsPair.StartAsync(clientAcceptsAny: true);
        var (server, client, serverReceiver, clientReceiver, serverAddress) = (pair.Server, pair.Client, pair.AtServer, pair.AtClient, pair.ServerAddress);

        var flow = client.CreateFlow(SipTransportKind.Tls, serverAddress)!.Value;
        Assert.True(client.TrySend(flow, SipSamples.Bytes(SipSamples.Options("s1"))));
        var (inbound, request) = await serverReceiver.NextAsync();
        Assert.Equal(SipSamples.Options("s1"), request);
        Assert.Equal(SipTransportKind.Tls, inbound.Transport);

        Assert.True(server.TrySend(inbound, SipSamples.Bytes(SipSamples.Ok("s1"))));
        var (outbound, reply) = await clientReceiver.NextAsync();
        Assert.Equal(SipSamples.Ok("s1"), reply);
        Assert.Equal(serverAddress, outbound.Remote);
        Assert.Equal(inbound.Remote, outbound.Local);
        Assert.Equal(1, server.Counters.ConnectionsAccepted);
        Assert.Equal(1, client.Counters.ConnectionsOpened);
    }

    [Fact]
    public async Task An_untrusted_server_certificate_fails_the_connection_when_validation_is_on()
    {
        await using var pair = await TlsPair.StartAsync(clientAcceptsAny: false);
        var (client, serverReceiver, clientReceiver, serverAddress) = (pair.Client, pair.AtServer, pair.AtClient, pair.ServerAddress);

        Assert.True(client.TrySend(new SipFlow(SipTransportKind.Tls, serverAddress, serverAddress), SipSamples.Bytes(SipSamples.Options("s2"))));

        Assert.Equal(serverAddress, (await clientReceiver.NextClosedAsync()).Remote);
        await serverReceiver.NextClosedAsync();
        Assert.Equal(0, serverReceiver.Pending);
    }
}
