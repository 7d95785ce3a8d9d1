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

    private static async Task<(SipTransportHub Hub, RecordingReceiver Receiver)> StartAsync(X509Certificate2 certificate, bool acceptAny)
    {
        var receiver = new RecordingReceiver();
        var hub = new SipTransportHub(new SipTransportOptions { TlsPort = 0, TlsCertificate = certificate, AcceptAnyServerCertificate = acceptAny });
        await hub.StartAsync(receiver, CancellationToken.None);
        return (hub, receiver);
    }

    [Fact]
    public async Task Two_hubs_exchange_a_request_and_its_reply_over_tls()
    {
        using var serverCertificate = SelfSigned();
        using var clientCertificate = SelfSigned();
        var (server, serverReceiver) = await StartAsync(serverCertificate, acceptAny: false);
        await using var _ = server;
        var (client, clientReceiver) = await StartAsync(clientCertificate, acceptAny: true);
        await using var __ = client;
        var serverAddress = new IPEndPoint(IPAddress.Loopback, server.TlsPort!.Value);

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
        using var serverCertificate = SelfSigned();
        using var clientCertificate = SelfSigned();
        var (server, serverReceiver) = await StartAsync(serverCertificate, acceptAny: false);
        await using var _ = server;
        var (client, clientReceiver) = await StartAsync(clientCertificate, acceptAny: false);
        await using var __ = client;
        var serverAddress = new IPEndPoint(IPAddress.Loopback, server.TlsPort!.Value);

        Assert.True(client.TrySend(new SipFlow(SipTransportKind.Tls, serverAddress, serverAddress), SipSamples.Bytes(SipSamples.Options("s2"))));

        Assert.Equal(serverAddress, (await clientReceiver.NextClosedAsync()).Remote);
        await serverReceiver.NextClosedAsync();
        Assert.Equal(0, serverReceiver.Pending);
    }
}
