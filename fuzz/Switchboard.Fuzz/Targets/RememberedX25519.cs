using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// X25519 (RFC 7748) for the replayed DTLS handshakes: one real key pair for the process, and each shared
/// secret computed for real once per peer value and remembered. A replay offers the same ephemeral key and
/// receives the same peer value every time, so it gets the secret a fresh computation would give, without
/// the two scalar multiplications. A different peer value is computed, not guessed.
/// </summary>
internal sealed class RememberedX25519 : TlsECDomain, TlsAgreement
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, byte[]> Secrets = new(StringComparer.Ordinal);
    private static BcX25519? s_real;
    private static byte[]? s_public;

    private readonly BcTlsCrypto _crypto;
    private byte[]? _peer;

    public RememberedX25519(BcTlsCrypto crypto) => _crypto = crypto;

    public TlsAgreement CreateECDH() => new RememberedX25519(_crypto);

    public byte[] GenerateEphemeral()
    {
        lock (Gate)
        {
            if (s_real is null)
            {
                s_real = new BcX25519(_crypto);
                s_public = s_real.GenerateEphemeral();
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
            var real = s_real ?? throw new InvalidOperationException("No ephemeral key generated.");
            var key = Convert.ToHexString(peer);
            if (!Secrets.TryGetValue(key, out var secret))
            {
                real.ReceivePeerValue(peer);
                secret = real.CalculateSecret().Extract();
                Secrets[key] = secret;
            }

            // BouncyCastle destroys a secret once used: each handshake gets its own copy (CreateSecret copies).
            return _crypto.CreateSecret(secret);
        }
    }
}
