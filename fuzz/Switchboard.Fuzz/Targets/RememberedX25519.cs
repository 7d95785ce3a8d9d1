using Org.BouncyCastle.Math.EC.Rfc7748;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// X25519 (RFC 7748) for the replayed DTLS handshakes, on BouncyCastle's own X25519 functions as its
/// <c>BcX25519</c> uses them: one key pair for the process, and each shared secret computed once per peer
/// value and remembered. A replay offers the same ephemeral key and receives the same peer value every
/// time, so it gets the secret a fresh computation would give without the scalar multiplications; another
/// peer value is computed, not guessed.
/// </summary>
internal sealed class RememberedX25519 : TlsECDomain, TlsAgreement
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, byte[]> Secrets = new(StringComparer.Ordinal);
    private static byte[]? s_private;
    private static byte[]? s_public;

    private readonly BcTlsCrypto _crypto;
    private byte[]? _peer;

    public RememberedX25519(BcTlsCrypto crypto) => _crypto = crypto;

    public TlsAgreement CreateECDH() => new RememberedX25519(_crypto);

    public byte[] GenerateEphemeral()
    {
        lock (Gate)
        {
            if (s_private is null)
            {
                var privateKey = new byte[X25519.ScalarSize];
                X25519.GeneratePrivateKey(_crypto.SecureRandom, privateKey);
                var publicKey = new byte[X25519.PointSize];
                X25519.GeneratePublicKey(privateKey, 0, publicKey, 0);
                (s_private, s_public) = (privateKey, publicKey);
            }

            return s_public!.ToArray();
        }
    }

    public void ReceivePeerValue(byte[] peerValue) => _peer = peerValue.ToArray();

    public TlsSecret CalculateSecret()
    {
        var peer = _peer ?? throw new InvalidOperationException("No peer value received.");
        lock (Gate)
        {
            var privateKey = s_private ?? throw new InvalidOperationException("No ephemeral key generated.");
            var key = Convert.ToHexString(peer);
            if (!Secrets.TryGetValue(key, out var secret))
            {
                secret = new byte[X25519.PointSize];
                if (peer.Length != X25519.PointSize || !X25519.CalculateAgreement(privateKey, 0, peer, 0, secret, 0))
                {
                    // As BcX25519: an invalid or all-zero result (RFC 7748 section 6.1) is illegal_parameter.
                    throw new TlsFatalAlert(AlertDescription.illegal_parameter);
                }

                Secrets[key] = secret;
            }

            // BouncyCastle destroys a secret once used: each handshake gets its own copy (CreateSecret copies).
            return _crypto.CreateSecret(secret);
        }
    }
}
