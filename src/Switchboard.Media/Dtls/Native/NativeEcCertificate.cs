using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Media.Dtls.Native;

/// <summary>
/// A peer's X.509 certificate as BouncyCastle parses it, whose ECDSA P-256 signatures (a client's CertificateVerify,
/// a server's ServerKeyExchange) the platform checks. Any other key or algorithm goes to BouncyCastle's own verifier.
/// </summary>
internal sealed class NativeEcCertificate(BcTlsCrypto crypto, byte[] encoding) : BcTlsCertificate(crypto, encoding)
{
    private static readonly X9ECParameters P256 = ECNamedCurveTable.GetByOid(SecObjectIdentifiers.SecP256r1);

    public override TlsVerifier CreateVerifier(short signatureAlgorithm)
    {
        if (signatureAlgorithm != SignatureAlgorithm.ecdsa || !TryP256Point(out var x, out var y))
        {
            return base.CreateVerifier(signatureAlgorithm);
        }

        // As BouncyCastle's own verifier does: a key that may not sign is refused (RFC 5280 section 4.2.1.3).
        ValidateKeyUsage(KeyUsage.DigitalSignature);
        return new NativeEcdsaVerifier(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
    }

    private bool TryP256Point(out byte[] x, out byte[] y)
    {
        x = y = [];
        if (GetPublicKey() is not ECPublicKeyParameters key)
        {
            return false;
        }

        if (!key.Parameters.Curve.Equals(P256.Curve) || !key.Parameters.G.Equals(P256.G))
        {
            return false;
        }

        var point = key.Q.Normalize();
        x = point.AffineXCoord.GetEncoded();
        y = point.AffineYCoord.GetEncoded();
        return true;
    }
}

/// <summary>Checks one DER-encoded ECDSA signature (RFC 8422 section 5.4) over the hash BouncyCastle computed.</summary>
internal sealed class NativeEcdsaVerifier(ECParameters publicKey) : TlsVerifier
{
    public TlsStreamVerifier? GetStreamVerifier(DigitallySigned digitallySigned) => null;

    public bool VerifyRawSignature(DigitallySigned digitallySigned, byte[] hash)
    {
        ArgumentNullException.ThrowIfNull(digitallySigned);
        if (digitallySigned.Algorithm is { } algorithm && algorithm.Signature != SignatureAlgorithm.ecdsa)
        {
            throw new InvalidOperationException("Not an ECDSA signature.");
        }

        try
        {
            using var key = ECDsa.Create(publicKey);
            return key.VerifyHash(hash, digitallySigned.Signature, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            // A point off the curve in the certificate: no signature of it is good.
            return false;
        }
    }
}
