using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Links;
using Switchboard.Pbx.Trunks;

namespace Switchboard.Server;

/// <summary>The administrative operations the CLI verbs and the tests share.</summary>
public sealed class PbxAdmin
{
    private readonly IDirectoryStore _directory;
    private readonly ICallRecordStore _records;

    private readonly ITrunkStore? _trunkStore;
    private readonly TrunkService? _trunks;

    public PbxAdmin(IDirectoryStore directory, ICallRecordStore records, ITrunkStore? trunkStore = null, TrunkService? trunks = null)
    {
        _trunkStore = trunkStore;
        _trunks = trunks;
        _directory = directory;
        _records = records;
    }

    /// <summary>Stores a trunk and puts it to work at once (registration starts).</summary>
    public async Task<Trunk> AddTrunkAsync(Trunk trunk, string password, CancellationToken ct = default)
    {
        var added = await (_trunkStore ?? throw new InvalidOperationException("No trunk store here.")).AddAsync(trunk, password, ct);
        if (_trunks is not null)
        {
            await _trunks.ReloadAsync(ct);
        }

        return added;
    }

    /// <summary>Whether the trunk's registration currently holds (null when it does not register).</summary>
    public async Task<bool?> IsTrunkRegisteredAsync(string domain, string name, CancellationToken ct = default) =>
        _trunkStore is not null && _trunks is not null && (await _trunkStore.ListAsync(domain, ct)).FirstOrDefault(t => t.Name == name) is { } t
            ? _trunks.IsRegistered(t.Id)
            : null;

    public Task CreateDomainAsync(string name, CancellationToken ct = default) => _directory.CreateDomainAsync(name, ct);

    public Task CreateExtensionAsync(string domain, string number, string displayName, string webPassword, string sipPassword, CancellationToken ct = default) =>
        _directory.CreateExtensionAsync(new NewExtension(domain, number, displayName, webPassword, sipPassword), ct);

    /// <summary>A signed makecall.htm link for <paramref name="account"/> (<c>ext@domain</c>), as the spec's formula makes it.</summary>
    public async Task<Uri> MakeSignedLinkAsync(Uri baseUrl, string account, string destination, long unixTime, long durationSeconds,
        string? lang = null, CancellationToken ct = default)
    {
        var at = account.IndexOf('@', StringComparison.Ordinal);
        if (at < 0)
        {
            throw new ArgumentException("The account must be written ext@domain.", nameof(account));
        }

        return await new SignedLinkMaker(_directory).MakeAsync(baseUrl, account[(at + 1)..], account[..at], destination, unixTime, durationSeconds, lang, ct);
    }

    public Task<IReadOnlyList<CallRecord>> ListCallRecordsAsync(CancellationToken ct = default) => _records.ListAsync(CallRecordQuery.MaxLimit, ct);

    public Task<IReadOnlyList<CallRecord>> QueryCallRecordsAsync(CallRecordQuery query, CancellationToken ct = default) => _records.QueryAsync(query, ct);

    /// <returns>false if there is no such extension.</returns>
    public Task<bool> SetRoleAsync(string domain, string number, ExtensionRole role, CancellationToken ct = default) =>
        _directory.SetRoleAsync(domain, number, role, ct);
}
