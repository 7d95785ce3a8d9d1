using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using Switchboard.Server;

namespace Switchboard.Server.Hosting;

/// <summary>The HTTPS certificate: the user's own (PEM or PFX), or a self-signed one made once and kept in the data folder.</summary>
internal static class TlsCertificate
{
    public static X509Certificate2 Load(PbxHostOptions options, string dataDirectory)
    {
        var now = options.Time.GetUtcNow();
        return LoadOrCreate(options, dataDirectory, now);
    }

    private static X509Certificate2 LoadOrCreate(PbxHostOptions options, string dataDirectory, DateTimeOffset now)
    {
        if (options.CertificatePath is { } path)
        {
            if (options.CertificateKeyPath is { } keyPath)
            {
                return X509Certificate2.CreateFromPemFile(path, keyPath);
            }

            return path.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".crt", StringComparison.OrdinalIgnoreCase)
                ? X509Certificate2.CreateFromPemFile(path)
                : X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
        }

        var folder = Path.Combine(dataDirectory, "tls");
        var file = Path.Combine(folder, "selfsigned.pfx");
        if (File.Exists(file))
        {
            var existing = X509CertificateLoader.LoadPkcs12FromFile(file, password: null);
            if (existing.NotAfter.ToUniversalTime() > now.UtcDateTime.AddDays(7))
            {
                return existing;
            }

            existing.Dispose();
        }

        Directory.CreateDirectory(folder);
        var created = CreateSelfSigned(now);
        File.WriteAllBytes(file, created.Export(X509ContentType.Pkcs12));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return created;
    }

    private static X509Certificate2 CreateSelfSigned(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Switchboard PBX (self-signed)", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(Dns.GetHostName());
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }
}
