using Switchboard.Server.Hosting;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Switchboard.Server.Tests;

/// <summary>HTTPS with the PBX's self-signed certificate, or with the user's own PEM or PFX.</summary>
public sealed class CertificateTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("sb-cert-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private static async Task<X509Certificate2> ServedCertificateAsync(PbxHost host)
    {
        X509Certificate2? seen = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
            {
                seen = cert is null ? null : X509CertificateLoader.LoadCertificate(cert.RawData);
                return true;
            },
        };
        using var client = new HttpClient(handler);
        var reply = await client.GetAsync(new Uri(host.HttpsUrl, "healthz"));
        reply.EnsureSuccessStatusCode();
        return seen!;
    }

    private static X509Certificate2 MakeCertificate(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    [Fact]
    public async Task The_self_signed_certificate_is_made_once_and_kept()
    {
        string first;
        await using (var host = await PbxHost.StartAsync(new PbxHostOptions { DataDirectory = _data, HttpPort = 0, HttpsPort = 0, Sip = SipHostOptions.Ephemeral }))
        {
            first = (await ServedCertificateAsync(host)).Thumbprint;
        }

        await using var again = await PbxHost.StartAsync(new PbxHostOptions { DataDirectory = _data, HttpPort = 0, HttpsPort = 0, Sip = SipHostOptions.Ephemeral });
        Assert.Equal(first, (await ServedCertificateAsync(again)).Thumbprint);
        Assert.True(File.Exists(Path.Combine(_data, "tls", "selfsigned.pfx")));
    }

    [Fact]
    public async Task A_users_PEM_certificate_and_key_replace_it()
    {
        using var cert = MakeCertificate("CN=pbx.example.com");
        var certPath = Path.Combine(_data, "cert.pem");
        var keyPath = Path.Combine(_data, "key.pem");
        await File.WriteAllTextAsync(certPath, cert.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, cert.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        await using var host = await PbxHost.StartAsync(new PbxHostOptions
        {
            DataDirectory = _data, HttpPort = 0, HttpsPort = 0, Sip = SipHostOptions.Ephemeral, CertificatePath = certPath, CertificateKeyPath = keyPath,
        });

        Assert.Equal(cert.Thumbprint, (await ServedCertificateAsync(host)).Thumbprint);
    }

    [Fact]
    public async Task A_users_PFX_with_a_password_replaces_it()
    {
        using var cert = MakeCertificate("CN=pfx.example.com");
        var pfxPath = Path.Combine(_data, "cert.pfx");
        await File.WriteAllBytesAsync(pfxPath, cert.Export(X509ContentType.Pkcs12, "s3cret"));

        await using var host = await PbxHost.StartAsync(new PbxHostOptions
        {
            DataDirectory = _data, HttpPort = 0, HttpsPort = 0, Sip = SipHostOptions.Ephemeral, CertificatePath = pfxPath, CertificatePassword = "s3cret",
        });

        Assert.Equal(cert.Thumbprint, (await ServedCertificateAsync(host)).Thumbprint);
    }
}
