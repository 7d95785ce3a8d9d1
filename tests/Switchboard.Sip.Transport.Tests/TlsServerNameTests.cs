using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Switchboard.Sip.Transport.Tests;

/// <summary>
/// Outbound TLS checks the carrier by the name we meant (RFC 5922 section 7.2), with a private CA as the carrier's root:
/// the right name connects; the bare address, or another name, does not.
/// </summary>
public sealed class TlsServerNameTests
{
    [Theory]
    [InlineData("carrier.test", true)]
    [InlineData(null, false)]
    [InlineData("other.test", false)]
    public async Task The_carriers_certificate_must_name_the_host_we_meant(string? serverName, bool connects)
    {
        var now = TimeProvider.System.GetUtcNow();
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Test Carrier Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var root = rootRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=carrier.test", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("carrier.test");
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = leafRequest.Create(root, now.AddMinutes(-5), now.AddMinutes(50), [1, 2, 3, 4]);
        using var leaf = issued.CopyWithPrivateKey(leafKey);

        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var clientCertificate = new CertificateRequest("CN=pbx.test", clientKey, HashAlgorithmName.SHA256).CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));

        await using var carrier = new SipTransportHub(new SipTransportOptions { TlsPort = 0, TlsCertificate = leaf });
        await using var pbx = new SipTransportHub(new SipTransportOptions { TlsPort = 0, TlsCertificate = clientCertificate, TrustedRoots = [root] });
        var atCarrier = new RecordingReceiver();
        var atPbx = new RecordingReceiver();
        await carrier.StartAsync(atCarrier, CancellationToken.None);
        await pbx.StartAsync(atPbx, CancellationToken.None);
        var carrierAddress = new IPEndPoint(IPAddress.Loopback, carrier.TlsPort!.Value);
        if (serverName is not null)
        {
            pbx.SetServerName(carrierAddress, serverName);
        }

        Assert.True(pbx.TrySend(pbx.CreateFlow(SipTransportKind.Tls, carrierAddress)!.Value, SipSamples.Bytes(SipSamples.Options("n1"))));
        if (connects)
        {
            Assert.Equal(SipSamples.Options("n1"), (await atCarrier.NextAsync()).Text);
        }
        else
        {
            Assert.Equal(carrierAddress, (await atPbx.NextClosedAsync()).Remote);
            Assert.Equal(0, atCarrier.Pending);
        }
    }
}
