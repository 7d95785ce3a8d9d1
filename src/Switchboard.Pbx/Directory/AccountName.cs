using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Pbx.Directory;

/// <summary>
/// An account as a user types it: <c>ext</c> or <c>ext@domain</c> (spec 1, "First click").
/// A bare extension belongs to the PBX's default domain.
/// </summary>
public readonly record struct AccountName(string Number, string Domain)
{
    public const int MaxLength = 128;

    public static bool TryParse(string? text, string defaultDomain, [NotNullWhen(true)] out AccountName? account)
    {
        account = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxLength)
        {
            return false;
        }

        var trimmed = text.Trim();
        var at = trimmed.IndexOf('@', StringComparison.Ordinal);
        var number = at < 0 ? trimmed : trimmed[..at];
        var domain = at < 0 ? defaultDomain : trimmed[(at + 1)..];
        if (!Names.IsExtensionNumber(number) || !Names.IsDomainName(domain))
        {
            return false;
        }

        account = new AccountName(number, domain.ToLowerInvariant());
        return true;
    }

    public override string ToString() => Number + "@" + Domain;
}
