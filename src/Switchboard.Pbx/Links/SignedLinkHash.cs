using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Pbx.Links;

/// <summary>
/// The seed's link signature: md5(user + password + dest + time + duration), the five values as they
/// appear in the link after URL-decoding, UTF-8, no separator, lowercase hex (spec 1 and 2.1).
/// MD5 is the seed's choice and kept for compatibility with links its users already generate.
/// </summary>
public static class SignedLinkHash
{
    public static string Compute(string user, string password, string destination, string time, string duration)
    {
        var input = Encoding.UTF8.GetBytes(string.Concat(user, password, destination, time, duration));
        try
        {
#pragma warning disable CA5351 // MD5 is the formula the seed's links are signed with (spec 2.1); it is not our choice of hash.
            return Convert.ToHexStringLower(MD5.HashData(input));
#pragma warning restore CA5351
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>Compares a presented hash with the expected one, case-insensitively and in constant time.</summary>
    public static bool Matches(string expectedLowerHex, string? presented)
    {
        if (presented is null || presented.Length != expectedLowerHex.Length)
        {
            return false;
        }

        Span<byte> a = stackalloc byte[expectedLowerHex.Length];
        Span<byte> b = stackalloc byte[presented.Length];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = (byte)expectedLowerHex[i];
            b[i] = (byte)(presented[i] | 0x20); // ASCII lower case: digits are unchanged by the 0x20 bit.
        }

        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
