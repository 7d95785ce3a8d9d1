using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Media.Dtls.Native;

/// <summary>
/// BouncyCastle's TLS crypto with the P-256 public-key work done by the platform (OpenSSL through
/// <c>System.Security.Cryptography</c>): the ECDHE key pair and agreement (RFC 8422 section 5.10) and the ECDSA check of
/// the peer's signature, and our own signature (<see cref="NativeEcdsaSigner"/>). Everything else (record layer,
/// hashes, PRF, key export) stays BouncyCastle's. Why: a handshake took 0.82 of the time and allocated a quarter of the
/// bytes (docs/media-dtls.md, "Handshake cost"), and DTLS set-up is what limits how fast WebRTC calls can start.
/// Other curves (no browser offers them first) keep BouncyCastle's code.
/// </summary>
internal sealed class NativeEcTlsCrypto(SecureRandom random) : BcTlsCrypto(random)
{
    public override TlsECDomain CreateECDomain(TlsECConfig ecConfig)
    {
        ArgumentNullException.ThrowIfNull(ecConfig);
        return ecConfig.NamedGroup == NamedGroup.secp256r1 ? new NativeP256Domain(this) : base.CreateECDomain(ecConfig);
    }

    public override TlsCertificate CreateCertificate(short type, byte[] encoding) =>
        type == CertificateType.X509 ? new NativeEcCertificate(this, encoding) : base.CreateCertificate(type, encoding);

    private sealed class NativeP256Domain(NativeEcTlsCrypto crypto) : TlsECDomain
    {
        public TlsAgreement CreateECDH() => new NativeP256Agreement(crypto);
    }
}
