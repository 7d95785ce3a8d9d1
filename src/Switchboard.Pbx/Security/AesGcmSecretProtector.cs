using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Pbx.Security;

/// <summary>
/// AES-256-GCM with a random 96-bit nonce per secret. Layout: version (1) | nonce (12) | tag (16) | ciphertext.
/// The key lives in the data folder, apart from the database, so a copied database alone reveals nothing.
/// </summary>
public sealed class AesGcmSecretProtector : ISecretProtector, IDisposable
{
    public const int KeySize = 32;
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + NonceSize + TagSize;

    private readonly AesGcm _aes;

    public AesGcmSecretProtector(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"The key must be {KeySize} bytes.", nameof(key));
        }

        _aes = new AesGcm(key, TagSize);
    }

    public byte[] Protect(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var plain = Encoding.UTF8.GetBytes(secret);
        var output = new byte[HeaderSize + plain.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        lock (_aes)
        {
            _aes.Encrypt(nonce, plain, output.AsSpan(HeaderSize), output.AsSpan(1 + NonceSize, TagSize), [Version]);
        }

        CryptographicOperations.ZeroMemory(plain);
        return output;
    }

    public string? Unprotect(ReadOnlySpan<byte> sealedSecret)
    {
        if (sealedSecret.Length < HeaderSize || sealedSecret[0] != Version)
        {
            return null;
        }

        var plain = new byte[sealedSecret.Length - HeaderSize];
        try
        {
            lock (_aes)
            {
                _aes.Decrypt(sealedSecret.Slice(1, NonceSize), sealedSecret[HeaderSize..], sealedSecret.Slice(1 + NonceSize, TagSize), plain, [Version]);
            }

            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    public void Dispose() => _aes.Dispose();
}
