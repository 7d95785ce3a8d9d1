using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Pbx.Tokens;

/// <summary>
/// The random strings of this folder and their stored form. Each has 256 random bits, so one SHA-256 (no salt, no
/// stretching) is enough at rest: nobody can guess a preimage, and a leaked table holds no usable key or token.
/// </summary>
internal static class Secrets
{
    public static string NewRandom() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));

    /// <summary>Whether <paramref name="text"/> could be one of our base64url strings: anything else is refused unhashed.</summary>
    public static bool LooksLikeBase64Url(ReadOnlySpan<char> text, int length)
    {
        if (text.Length != length)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }
}
