using System.Security.Cryptography;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;

namespace Switchboard.Media.Dtls.Native;

/// <summary>
/// Signs with our certificate's P-256 key on the platform (RFC 8422 section 5.4: a DER-encoded ECDSA signature over the
/// hash BouncyCastle computed). The key is imported once per thread from <see cref="DtlsCertificate.PlatformKey"/>: the
/// handshake pool's few workers each keep one (a platform key object is not promised to be safe to share between
/// threads), made again only when the process certificate was renewed.
/// </summary>
internal sealed class NativeEcdsaSigner(DtlsCertificate certificate) : TlsSigner
{
    [ThreadStatic]
    private static DtlsCertificate? t_keyOf;

    [ThreadStatic]
    private static ECDsa? t_key;

    public byte[] GenerateRawSignature(SignatureAndHashAlgorithm algorithm, byte[] hash)
    {
        if (algorithm is not null && algorithm.Signature != SignatureAlgorithm.ecdsa)
        {
            throw new TlsFatalAlert(AlertDescription.internal_error, "Our key signs ECDSA only.");
        }

        return Key().SignHash(hash, DSASignatureFormat.Rfc3279DerSequence);
    }

    public TlsStreamSigner? GetStreamSigner(SignatureAndHashAlgorithm algorithm) => null;

    private ECDsa Key()
    {
        if (t_key is null || !ReferenceEquals(t_keyOf, certificate))
        {
            t_key?.Dispose();
            t_key = ECDsa.Create(certificate.PlatformKey);
            t_keyOf = certificate;
        }

        return t_key;
    }
}
