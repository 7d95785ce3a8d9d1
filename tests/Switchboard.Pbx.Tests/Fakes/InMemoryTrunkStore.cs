using Switchboard.Pbx.Trunks;

namespace Switchboard.Pbx.Tests.Fakes;

/// <summary>One domain's trunks in a list, with their passwords in the clear (the real stores seal them).</summary>
internal sealed class InMemoryTrunkStore(Trunk trunk, string password) : ITrunkStore
{
    private readonly List<(Trunk Trunk, string Password)> _trunks = [(trunk, password)];

    public Task<Trunk> AddAsync(Trunk trunk, string password, CancellationToken ct = default)
    {
        var added = trunk with { Id = _trunks.Count + 1 };
        _trunks.Add((added, password));
        return Task.FromResult(added);
    }

    public Task<IReadOnlyList<Trunk>> ListAsync(string? domain, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Trunk>>([.. _trunks.Select(t => t.Trunk).Where(t => domain is null || t.Domain == domain).OrderBy(t => t.Position)]);

    public Task<bool> RemoveAsync(string domain, string name, CancellationToken ct = default) =>
        Task.FromResult(_trunks.RemoveAll(t => t.Trunk.Domain == domain && t.Trunk.Name == name) > 0);

    public Task<string?> GetPasswordAsync(long trunkId, CancellationToken ct = default) =>
        Task.FromResult(_trunks.Where(t => t.Trunk.Id == trunkId).Select(t => (string?)t.Password).FirstOrDefault());
}
