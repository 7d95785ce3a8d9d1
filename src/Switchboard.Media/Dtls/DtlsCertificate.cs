using System.Diagnostics;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Org.BouncyCastle.X509;

namespace Switchboard.Media.Dtls;

/// <summary>
/// Our DTLS identity: a self-signed ECDSA P-256 X.509 v3 certificate and its private key, with the
/// RFC 8122 <c>sha-256</c> fingerprint that goes into <c>a=fingerprint</c>. WebRTC peers authenticate
/// it by that fingerprint only (RFC 8827 section 6.5), so names and chains do not matter.
/// Generating one costs a few milliseconds once warm (tens of ms for the first, JIT included); a
/// process makes one with <see cref="GetProcessCertificate"/> and reuses it for every leg.
/// </summary>
public sealed class DtlsCertificate
{
    private static readonly Lock s_processGate = new();
    private static DtlsCertificate? s_process;

    /// <summary>Parses our certificate for <see cref="TlsCertificate"/>; a parsed certificate uses it only to verify with its key, which nobody does with ours.</summary>
    private static readonly BcTlsCrypto s_parser = new(new SecureRandom());

    private Certificate? _tls;

    private DtlsCertificate(byte[] der, AsymmetricKeyParameter privateKey, DateTimeOffset notBefore, DateTimeOffset notAfter, TimeSpan generationTime)
    {
        DerEncoded = der;
        PrivateKey = privateKey;
        NotBefore = notBefore;
        NotAfter = notAfter;
        GenerationTime = generationTime;
        Fingerprint = DtlsFingerprint.Compute(der, "sha-256");
        PlatformKey = PlatformParameters((ECPrivateKeyParameters)privateKey);
    }

    /// <summary>Our P-256 key in the platform's form: D, and the public point Q = D·G (what an import needs).</summary>
    private static ECParameters PlatformParameters(ECPrivateKeyParameters key)
    {
        var q = key.Parameters.G.Multiply(key.D).Normalize();
        return new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(32, key.D),
            Q = new System.Security.Cryptography.ECPoint { X = q.AffineXCoord.GetEncoded(), Y = q.AffineYCoord.GetEncoded() },
        };
    }

    /// <summary>
    /// The certificate as BouncyCastle's TLS layer sends it, parsed once and shared by every handshake
    /// (it is immutable): each association keeps it in its security parameters, and a copy per
    /// handshake was 3 KB per WebRTC leg.
    /// </summary>
    internal Certificate TlsCertificate
    {
        get
        {
            if (Volatile.Read(ref _tls) is { } parsed)
            {
                return parsed;
            }

            Interlocked.CompareExchange(ref _tls, new Certificate([s_parser.CreateCertificate(DerEncoded.ToArray())]), null);
            return _tls;
        }
    }

    /// <summary>The DER encoding of the certificate.</summary>
    public ReadOnlyMemory<byte> DerEncoded { get; }

    /// <summary>The <c>sha-256</c> fingerprint for SDP (<c>a=fingerprint:sha-256 AB:CD:...</c>).</summary>
    public DtlsFingerprint Fingerprint { get; }

    /// <summary>Start of validity (one hour before creation, to tolerate peer clock skew).</summary>
    public DateTimeOffset NotBefore { get; }

    /// <summary>End of validity.</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>How long key and certificate generation took (stopwatch time).</summary>
    public TimeSpan GenerationTime { get; }

    internal AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>The private key in the platform's form, for <see cref="Native.NativeEcdsaSigner"/>.</summary>
    internal ECParameters PlatformKey { get; }

    /// <summary>Default validity of a generated certificate.</summary>
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromDays(30);

    /// <summary>
    /// The certificate shared by every leg of this process: generated on first use and again when
    /// it is within a day of expiring. Thread-safe.
    /// </summary>
    public static DtlsCertificate GetProcessCertificate(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        lock (s_processGate)
        {
            DateTimeOffset now = timeProvider.GetUtcNow();
            if (s_process is null || now >= s_process.NotAfter - TimeSpan.FromDays(1))
            {
                s_process = Generate(timeProvider, DefaultValidity);
            }

            return s_process;
        }
    }

    /// <summary>
    /// True when a peer's DER-encoded certificate matches an SDP fingerprint given as algorithm and
    /// value (<c>sha-256</c>, <c>AB:CD:...</c>): names and hex case-insensitive, hash compared in
    /// constant time. False for an unknown algorithm or a malformed value.
    /// </summary>
    public static bool MatchesFingerprint(ReadOnlySpan<byte> peerCertificateDer, string algorithm, string value) =>
        DtlsFingerprint.TryCreate(algorithm, value, out DtlsFingerprint? expected) && expected.Matches(peerCertificateDer);

    /// <summary>Generates a fresh key pair and self-signed certificate (random 128-bit serial).</summary>
    public static DtlsCertificate Generate(TimeProvider timeProvider, TimeSpan validity)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(validity, TimeSpan.Zero);

        long started = Stopwatch.GetTimestamp();
        var random = new SecureRandom();
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        AsymmetricCipherKeyPair keyPair = generator.GenerateKeyPair();

        // Whole seconds: X.509 times carry no fractions.
        DateTimeOffset now = timeProvider.GetUtcNow();
        now = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        DateTimeOffset notBefore = now - TimeSpan.FromHours(1);
        DateTimeOffset notAfter = now + validity;

        var name = new X509Name("CN=switchboard");
        var certGen = new X509V3CertificateGenerator();
        var serial = new byte[16];
        random.NextBytes(serial);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01 << 6); // positive, and 16 bytes long
        certGen.SetSerialNumber(new BigInteger(1, serial));
        certGen.SetIssuerDN(name);
        certGen.SetSubjectDN(name);
        certGen.SetNotBefore(notBefore.UtcDateTime);
        certGen.SetNotAfter(notAfter.UtcDateTime);
        certGen.SetPublicKey(keyPair.Public);
        X509Certificate certificate = certGen.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", keyPair.Private, random));

        return new DtlsCertificate(certificate.GetEncoded(), keyPair.Private, notBefore, notAfter, Stopwatch.GetElapsedTime(started));
    }
}
