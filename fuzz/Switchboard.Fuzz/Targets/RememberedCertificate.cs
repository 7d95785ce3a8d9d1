using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// A peer certificate for the replayed DTLS handshakes whose signature checks are computed for real once per
/// (key, algorithm, signature, hash) and remembered: a replay presents the same CertificateVerify over the
/// same transcript every time, so it gets the answer a fresh verification would give without the ECDSA
/// arithmetic. Anything else about the certificate is BouncyCastle's.
/// </summary>
internal sealed class RememberedCertificate(BcTlsCrypto crypto, byte[] encoding) : BcTlsCertificate(crypto, encoding)
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, bool> Verdicts = new(StringComparer.Ordinal);

    private readonly string _key = System.Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(encoding));

    public override TlsVerifier CreateVerifier(short signatureAlgorithm) => new Verifier(base.CreateVerifier(signatureAlgorithm), _key + "/" + signatureAlgorithm);

    private sealed class Verifier(TlsVerifier real, string key) : TlsVerifier
    {
        public TlsStreamVerifier GetStreamVerifier(DigitallySigned digitallySigned) => real.GetStreamVerifier(digitallySigned);

        public bool VerifyRawSignature(DigitallySigned digitallySigned, byte[] hash)
        {
            var id = key + "/" + digitallySigned.Algorithm + "/" + System.Convert.ToHexString(digitallySigned.Signature) + "/" + System.Convert.ToHexString(hash);
            lock (Gate)
            {
                if (!Verdicts.TryGetValue(id, out var verdict))
                {
                    verdict = real.VerifyRawSignature(digitallySigned, hash);
                    Verdicts[id] = verdict;
                }

                return verdict;
            }
        }
    }
}
