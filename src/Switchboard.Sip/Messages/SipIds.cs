using System.Security.Cryptography;

namespace Switchboard.Sip.Messages;

/// <summary>Random identifiers: branch (with the RFC 3261 magic cookie), tags (section 19.3) and Call-IDs.</summary>
public static class SipIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewBranch() => SipVia.MagicCookie + Random(16);

    public static string NewTag() => Random(10);

    public static string NewCallId(string host) => $"{Random(20)}@{host}";

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
