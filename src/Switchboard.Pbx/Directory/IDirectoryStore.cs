namespace Switchboard.Pbx.Directory;

/// <summary>Domains and extensions. Implementations seal passwords at rest (see <see cref="Security.ISecretProtector"/>).</summary>
public interface IDirectoryStore
{
    Task<Domain> CreateDomainAsync(string name, CancellationToken ct = default);

    Task<IReadOnlyList<Domain>> ListDomainsAsync(CancellationToken ct = default);

    Task<Domain?> FindDomainAsync(string name, CancellationToken ct = default);

    /// <exception cref="DirectoryConflictException">the domain is unknown or the number exists.</exception>
    Task<Extension> CreateExtensionAsync(NewExtension extension, CancellationToken ct = default);

    Task<IReadOnlyList<Extension>> ListExtensionsAsync(string? domain, CancellationToken ct = default);

    Task<Extension?> FindExtensionAsync(string domain, string number, CancellationToken ct = default);

    Task<Extension?> GetExtensionAsync(long id, CancellationToken ct = default);

    /// <summary>The web (portal) password in clear, for a login or signed-link check; null if unknown.</summary>
    Task<string?> GetWebPasswordAsync(long extensionId, CancellationToken ct = default);

    Task<string?> GetSipPasswordAsync(long extensionId, CancellationToken ct = default);

    Task<bool> SetWebPasswordAsync(string domain, string number, string password, CancellationToken ct = default);

    Task<bool> SetSipPasswordAsync(string domain, string number, string password, CancellationToken ct = default);

    /// <returns>false if there is no such extension.</returns>
    Task<bool> SetRoleAsync(string domain, string number, ExtensionRole role, CancellationToken ct = default);

    /// <summary>Changes the display name (the caller ID name).</summary>
    /// <returns>false if there is no such extension.</returns>
    Task<bool> RenameExtensionAsync(string domain, string number, string displayName, CancellationToken ct = default);

    /// <summary>Deletes the extension with what is its alone (sessions, registrations, permissions, limits, its own dial rules).</summary>
    /// <returns>false if there is no such extension.</returns>
    Task<bool> DeleteExtensionAsync(string domain, string number, CancellationToken ct = default);
}
