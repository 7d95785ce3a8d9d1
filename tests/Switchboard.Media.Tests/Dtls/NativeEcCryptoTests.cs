using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Org.BouncyCastle.Utilities;
using Switchboard.Media.Dtls;
using Switchboard.Media.Dtls.Native;

namespace Switchboard.Media.Tests.Dtls;

/// <summary>
/// P-256 ECDHE and ECDSA on the platform inside BouncyCastle's DTLS (<see cref="NativeEcTlsCrypto"/>): it must speak the
/// same bytes as BouncyCastle's own code (RFC 8422 sections 5.4 and 5.10), so each side of a handshake is checked
/// against the other made entirely of BouncyCastle, and a peer's bad point or signature is refused.
/// </summary>
public sealed class NativeEcCryptoTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(8);

    public static TheoryData<bool, bool> Sides => new() { { true, false }, { false, true }, { true, true } };

    [Theory]
    [MemberData(nameof(Sides))]
    public async Task A_native_side_and_a_BouncyCastle_side_agree_on_the_same_keys(bool nativeServer, bool nativeClient)
    {
        static Func<BcTlsCrypto> Crypto(bool native) => native
            ? () => new NativeEcTlsCrypto(new SecureRandom())
            : () => new BcTlsCrypto(new SecureRandom());
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(crypto: Crypto(nativeClient)), DtlsPair.ServerOptions(crypto: Crypto(nativeServer)));
        pair.Start();

        var server = await pair.ServerProbe.CompletedWithin(Bound);
        var client = await pair.ClientProbe.CompletedWithin(Bound);
        Assert.Equal(server.KeyingMaterial, client.KeyingMaterial);
        Assert.True(server.RemoteFingerprintVerified && client.RemoteFingerprintVerified);
    }

    [Fact]
    public void The_shared_secret_is_the_one_BouncyCastle_computes_from_the_same_points()
    {
        var crypto = new NativeEcTlsCrypto(new SecureRandom());
        var agreement = new NativeP256Agreement(crypto);
        var ours = agreement.GenerateEphemeral();
        Assert.Equal(65, ours.Length);
        Assert.Equal(0x04, ours[0]);

        var domain = new ECDomainParameters(ECNamedCurveTable.GetByOid(SecObjectIdentifiers.SecP256r1));
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(domain, new SecureRandom()));
        var theirs = generator.GenerateKeyPair();
        agreement.ReceivePeerValue(((ECPublicKeyParameters)theirs.Public).Q.GetEncoded(compressed: false));
        var secret = agreement.CalculateSecret().Extract();

        var bc = new ECDHBasicAgreement();
        bc.Init(theirs.Private);
        var expected = BigIntegers.AsUnsignedByteArray(32, bc.CalculateAgreement(new ECPublicKeyParameters(domain.Curve.DecodePoint(ours), domain)));
        Assert.Equal(expected, secret);
    }

    [Fact]
    public void A_point_off_the_curve_or_compressed_is_an_illegal_parameter()
    {
        var agreement = new NativeP256Agreement(new NativeEcTlsCrypto(new SecureRandom()));
        var point = agreement.GenerateEphemeral();

        var offCurve = (byte[])point.Clone();
        offCurve[^1] ^= 0x01;
        var alert = Assert.Throws<TlsFatalAlert>(() => agreement.ReceivePeerValue(offCurve));
        Assert.Equal(AlertDescription.illegal_parameter, alert.AlertDescription);

        var compressed = point[..33];
        compressed[0] = 0x02;
        alert = Assert.Throws<TlsFatalAlert>(() => agreement.ReceivePeerValue(compressed));
        Assert.Equal(AlertDescription.illegal_parameter, alert.AlertDescription);
    }

    [Fact]
    public void Our_platform_signature_verifies_with_BouncyCastle_and_a_changed_one_does_not_verify_natively()
    {
        var certificate = DtlsCertificate.Generate(TimeProvider.System, TimeSpan.FromDays(1));
        var sha256 = SignatureAndHashAlgorithm.GetInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);
        var hash = System.Security.Cryptography.SHA256.HashData("ServerKeyExchange params"u8);
        var signature = new NativeEcdsaSigner(certificate).GenerateRawSignature(sha256, hash);

        // BouncyCastle's own ECDSA over the certificate's key accepts it (DER SEQUENCE of r and s, RFC 8422 section 5.4).
        var bcVerifier = new ECDsaSigner();
        var publicKey = (ECPublicKeyParameters)new NativeEcCertificate(new BcTlsCrypto(), certificate.DerEncoded.ToArray()).GetPubKeyEC();
        bcVerifier.Init(false, publicKey);
        var sequence = (Org.BouncyCastle.Asn1.Asn1Sequence)Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(signature);
        Assert.True(bcVerifier.VerifySignature(hash, ((Org.BouncyCastle.Asn1.DerInteger)sequence[0]).Value, ((Org.BouncyCastle.Asn1.DerInteger)sequence[1]).Value));

        // And the platform verifier made from the certificate takes it, and refuses it once one byte of the hash changed.
        var verifier = new NativeEcCertificate(new NativeEcTlsCrypto(new SecureRandom()), certificate.DerEncoded.ToArray()).CreateVerifier(SignatureAlgorithm.ecdsa);
        Assert.IsType<NativeEcdsaVerifier>(verifier);
        Assert.True(verifier.VerifyRawSignature(new DigitallySigned(sha256, signature), hash));
        hash[0] ^= 0xFF;
        Assert.False(verifier.VerifyRawSignature(new DigitallySigned(sha256, signature), hash));
    }
}
