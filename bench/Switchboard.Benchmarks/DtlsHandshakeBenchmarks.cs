using BenchmarkDotNet.Attributes;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Switchboard.Media.Dtls;
using Switchboard.Media.Dtls.Native;

namespace Switchboard.Benchmarks;

/// <summary>
/// One whole DTLS-SRTP handshake, client and server in this process (<see cref="DtlsWarmup"/>'s: ECDHE_ECDSA on P-256,
/// mutual certificates, the SRTP keys exported), with BouncyCastle's managed EC code or with P-256 on the platform
/// (<see cref="NativeEcTlsCrypto"/>) on both sides. Wall time of a sequential handshake is both sides' CPU plus the
/// hand-offs to the pool's workers, so compare the two rows of one run: docs/media-dtls.md, "Handshake cost".
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class DtlsHandshakeBenchmarks
{
    private DtlsEndpointOptions _options = null!;

    [Params(false, true)]
    public bool PlatformEc { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var certificate = DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1));
        Func<BcTlsCrypto> crypto = PlatformEc ? () => new NativeEcTlsCrypto(new SecureRandom()) : () => new BcTlsCrypto(new SecureRandom());
        _options = new DtlsEndpointOptions { Certificate = certificate, ExpectedRemoteFingerprints = [certificate.Fingerprint], CryptoForTests = crypto };
    }

    [Benchmark]
    public Task<TimeSpan> Handshake() => DtlsWarmup.RunAsync(_options);
}
