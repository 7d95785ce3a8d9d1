using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Tests.Fakes;

/// <summary>The directory in a dictionary, passwords in clear: enough for tests of what sits on top of the store.</summary>
internal sealed class InMemoryDirectoryStore(TimeProvider time) : IDirectoryStore
{
    private readonly List<Domain> _domains = [];
    private readonly List<Entry> _extensions = [];

    public Task<Domain> CreateDomainAsync(string name, CancellationToken ct = default)
    {
        var domain = new Domain(_domains.Count + 1, name.ToLowerInvariant(), time.GetUtcNow());
        _domains.Add(domain);
        return Task.FromResult(domain);
    }

    public Task<IReadOnlyList<Domain>> ListDomainsAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<Domain>>([.. _domains]);

    public Task<Domain?> FindDomainAsync(string name, CancellationToken ct = default) =>
        Task.FromResult(_domains.Find(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)));

    public Task<Extension> CreateExtensionAsync(NewExtension extension, CancellationToken ct = default)
    {
        if (_domains.Find(d => d.Name == extension.Domain) is null || Find(extension.Domain, extension.Number) >= 0)
        {
            throw new DirectoryConflictException("unknown domain or duplicate number");
        }

        var created = new Extension(_extensions.Count + 1, extension.Domain, extension.Number, extension.DisplayName, time.GetUtcNow());
        _extensions.Add(new Entry(created, extension.WebPassword, extension.SipPassword));
        return Task.FromResult(created);
    }

    public Task<IReadOnlyList<Extension>> ListExtensionsAsync(string? domain, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Extension>>([.. _extensions.Select(e => e.Extension).Where(e => domain is null || e.Domain == domain)]);

    public Task<Extension?> FindExtensionAsync(string domain, string number, CancellationToken ct = default)
    {
        var i = Find(domain, number);
        return Task.FromResult(i < 0 ? null : _extensions[i].Extension);
    }

    public Task<Extension?> GetExtensionAsync(long id, CancellationToken ct = default) =>
        Task.FromResult(_extensions.Find(e => e.Extension.Id == id)?.Extension);

    public Task<string?> GetWebPasswordAsync(long extensionId, CancellationToken ct = default) =>
        Task.FromResult(_extensions.Find(e => e.Extension.Id == extensionId)?.Web);

    public Task<string?> GetSipPasswordAsync(long extensionId, CancellationToken ct = default) =>
        Task.FromResult(_extensions.Find(e => e.Extension.Id == extensionId)?.Sip);

    public Task<bool> SetWebPasswordAsync(string domain, string number, string password, CancellationToken ct = default) =>
        Task.FromResult(Update(domain, number, e => e with { Web = password }));

    public Task<bool> SetSipPasswordAsync(string domain, string number, string password, CancellationToken ct = default) =>
        Task.FromResult(Update(domain, number, e => e with { Sip = password }));

    public Task<bool> SetRoleAsync(string domain, string number, ExtensionRole role, CancellationToken ct = default) =>
        Task.FromResult(Update(domain, number, e => e with { Extension = e.Extension with { Role = role } }));

    public Task<bool> RenameExtensionAsync(string domain, string number, string displayName, CancellationToken ct = default) =>
        Task.FromResult(Update(domain, number, e => e with { Extension = e.Extension with { DisplayName = displayName } }));

    public Task<bool> DeleteExtensionAsync(string domain, string number, CancellationToken ct = default)
    {
        var i = Find(domain, number);
        if (i < 0)
        {
            return Task.FromResult(false);
        }

        _extensions.RemoveAt(i);
        return Task.FromResult(true);
    }

    private int Find(string domain, string number) =>
        _extensions.FindIndex(e => string.Equals(e.Extension.Domain, domain, StringComparison.OrdinalIgnoreCase) && e.Extension.Number == number);

    private bool Update(string domain, string number, Func<Entry, Entry> change)
    {
        var i = Find(domain, number);
        if (i < 0)
        {
            return false;
        }

        _extensions[i] = change(_extensions[i]);
        return true;
    }

    private sealed record Entry(Extension Extension, string Web, string Sip);
}
