using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Links;

/// <summary>
/// Makes a pre-signed makecall.htm link for an extension (spec 1, "Pre-signed links"), with the extension's own web
/// password as the key. Shared by the CLI's <c>link make</c> and the portal's link generator.
/// </summary>
public sealed class SignedLinkMaker(IDirectoryStore directory)
{
    /// <exception cref="DirectoryConflictException">there is no such extension.</exception>
    /// <exception cref="ArgumentException">the destination is not a dial string.</exception>
    public async Task<Uri> MakeAsync(Uri baseUrl, string domain, string number, string destination, long unixTime, long durationSeconds,
        string? lang = null, CancellationToken ct = default)
    {
        if (!Names.IsDialString(destination))
        {
            throw new ArgumentException($"'{destination}' is not a dial string (digits, * #, optional leading +).", nameof(destination));
        }

        var extension = await directory.FindExtensionAsync(domain, number, ct)
            ?? throw new DirectoryConflictException($"There is no extension {number}@{domain}.");
        var password = await directory.GetWebPasswordAsync(extension.Id, ct)
            ?? throw new InvalidOperationException($"The web password of {extension.Account} cannot be read with this data folder's key.");
        return SignedLinkBuilder.Build(baseUrl, extension.Account, password, destination, unixTime, durationSeconds, lang);
    }
}
