using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Switchboard.Media.Ice;

/// <summary>
/// An ICE username fragment and password (RFC 8445 section 5.3, grammar in RFC 8839 section 5.4:
/// ufrag 4-256 and password 22-256 ice-chars, ice-char = ALPHA / DIGIT / "+" / "/").
/// </summary>
public sealed record IceCredentials
{
    /// <summary>Length of a generated ufrag: 8 ice-chars, 48 random bits (RFC 8445 asks for at least 24).</summary>
    public const int GeneratedUfragLength = 8;

    /// <summary>Length of a generated password: 24 ice-chars, 144 random bits (RFC 8445 asks for at least 128).</summary>
    public const int GeneratedPasswordLength = 24;

    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private IceCredentials(string ufrag, string password)
    {
        Ufrag = ufrag;
        Password = password;
    }

    public string Ufrag { get; }

    public string Password { get; }

    /// <summary>Fresh local credentials from the CSPRNG.</summary>
    public static IceCredentials Generate() => new(
        RandomNumberGenerator.GetString(IceChars, GeneratedUfragLength),
        RandomNumberGenerator.GetString(IceChars, GeneratedPasswordLength));

    /// <summary>Credentials as read from an offer or a configuration; false if they break the RFC 8839 grammar.</summary>
    public static bool TryCreate(string? ufrag, string? password, [NotNullWhen(true)] out IceCredentials? credentials)
    {
        if (IsValidUfrag(ufrag) && IsValidPassword(password))
        {
            credentials = new IceCredentials(ufrag!, password!);
            return true;
        }

        credentials = null;
        return false;
    }

    public static bool IsValidUfrag(string? ufrag) => ufrag is { Length: >= 4 and <= 256 } && AllIceChars(ufrag);

    public static bool IsValidPassword(string? password) => password is { Length: >= 22 and <= 256 } && AllIceChars(password);

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"IceCredentials {{ Ufrag = {Ufrag}, Password = *** }}";

    private static bool AllIceChars(string value)
    {
        foreach (char c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '+' || c == '/'))
            {
                return false;
            }
        }

        return true;
    }
}
