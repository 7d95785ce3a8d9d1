using System.Security.Cryptography;

namespace Switchboard.Pbx.Tokens;

/// <summary>
/// An API key as the CLI prints it once: <c>sbk_&lt;id&gt;_&lt;secret&gt;</c>. The id (16 hex digits) is public and
/// finds the key's row; the secret (256 random bits, base64url) is what proves it. The store keeps the SHA-256 of
/// the whole key, compared in constant time.
/// </summary>
public static class ApiKeySecret
{
    public const string Prefix = "sbk_";
    private const int IdLength = 16;
    private const int SecretLength = 43;

    /// <returns>The full key to show once, its id, and the hash to store.</returns>
    public static (string Key, string KeyId, byte[] Hash) New()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        var key = Prefix + id + "_" + Secrets.NewRandom();
        return (key, id, Secrets.Hash(key));
    }

    /// <summary>Reads the key id out of a presented key; false for anything not shaped like one of ours.</summary>
    public static bool TryParse(string? key, out string keyId)
    {
        keyId = "";
        if (key is null || key.Length != Prefix.Length + IdLength + 1 + SecretLength ||
            !key.StartsWith(Prefix, StringComparison.Ordinal) || key[Prefix.Length + IdLength] != '_')
        {
            return false;
        }

        var id = key.AsSpan(Prefix.Length, IdLength);
        foreach (var c in id)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        if (!Secrets.LooksLikeBase64Url(key.AsSpan(Prefix.Length + IdLength + 1), SecretLength))
        {
            return false;
        }

        keyId = id.ToString();
        return true;
    }

    /// <summary>Whether <paramref name="key"/> hashes to <paramref name="storedHash"/>, in constant time.</summary>
    public static bool Matches(string key, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Secrets.Hash(key), storedHash);
}
