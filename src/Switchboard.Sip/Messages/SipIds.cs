namespace Switchboard.Sip.Messages;

/// <summary>
/// Random identifiers: branch (with the RFC 3261 magic cookie), tags (section 19.3) and Call-IDs. Each is one string,
/// written in place, its characters from the CSPRNG through <see cref="RandomChars"/>.
/// </summary>
public static class SipIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewBranch() => string.Create(SipVia.MagicCookie.Length + 16, 0, static (id, _) =>
    {
        SipVia.MagicCookie.CopyTo(id);
        RandomChars.Fill(Alphabet, id[SipVia.MagicCookie.Length..]);
    });

    public static string NewTag() => string.Create(10, 0, static (id, _) => RandomChars.Fill(Alphabet, id));

    public static string NewCallId(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return string.Create(21 + host.Length, host, static (id, host) =>
        {
            RandomChars.Fill(Alphabet, id[..20]);
            id[20] = '@';
            host.CopyTo(id[21..]);
        });
    }
}
