using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// BouncyCastle's own crypto on a SHA-256 DRBG with a fixed seed and no system entropy: every handshake
/// made with a fresh one draws the same randoms (server random, ECDHE key; the ECDSA signatures follow),
/// so the server answers a recorded client transcript byte for byte as it did when recorded and ends with
/// the same keys. Only the fuzz harness uses it: a fixed random is what a real endpoint must never have.
/// </summary>
internal sealed class FixedSeedDtlsCrypto : BcTlsCrypto
{
    private static readonly byte[] Seed = "switchboard fuzz dtls replay seed"u8.ToArray();

    private FixedSeedDtlsCrypto(SecureRandom random)
        : base(random)
    {
    }

    public static BcTlsCrypto Create()
    {
        var random = SecureRandom.GetInstance("SHA256PRNG", autoSeed: false);
        random.SetSeed(Seed);
        return new FixedSeedDtlsCrypto(random);
    }

    // BouncyCastle seeds each context's nonce generator (the hello randoms) with a process counter and the
    // clock besides our random; the fixed seed alone must decide them.
    public override TlsNonceGenerator CreateNonceGenerator(byte[] additionalSeedMaterial) => base.CreateNonceGenerator(Seed);

    public override TlsNonceGenerator CreateNonceGenerator(ReadOnlySpan<byte> additionalSeedMaterial) => base.CreateNonceGenerator(Seed.AsSpan());

    // With the same randoms every replay repeats the same key agreement and the same signature check; each
    // is computed for real once and remembered (the handshake is the set-up here, not what is fuzzed).
    public override TlsECDomain CreateECDomain(TlsECConfig ecConfig) =>
        ecConfig.NamedGroup == NamedGroup.x25519 ? new RememberedX25519(this) : base.CreateECDomain(ecConfig);

    public override TlsCertificate CreateCertificate(short type, byte[] encoding) =>
        type == CertificateType.X509 ? new RememberedCertificate(this, encoding) : base.CreateCertificate(type, encoding);
}
