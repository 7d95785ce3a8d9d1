using System.Security.Cryptography;

namespace Switchboard.Pbx.Directory;

/// <summary>Extension passwords: the random ones the PBX makes when an administrator gives none, and the longest one it takes.</summary>
public static class Passwords
{
    /// <summary>Longer is no safer here and only fills the sealed column; digest and the link hash take any length.</summary>
    public const int MaxLength = 128;

    /// <summary>Without 0/O, 1/l/I: these are read off a screen and typed into phones.</summary>
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static string NewRandom(int length) => RandomNumberGenerator.GetString(Alphabet, length);

    public static bool IsAcceptable(string? password) => password is { Length: >= 1 and <= MaxLength } && !password.Any(char.IsControl);
}
