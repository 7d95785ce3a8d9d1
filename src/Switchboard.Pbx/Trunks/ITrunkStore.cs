namespace Switchboard.Pbx.Trunks;

/// <summary>Trunks per domain, in failover order; passwords sealed at rest like extensions' (docs/security.md).</summary>
public interface ITrunkStore
{
    Task<Trunk> AddAsync(Trunk trunk, string password, CancellationToken ct = default);

    /// <summary>Every trunk of <paramref name="domain"/> (all domains when null), in position order.</summary>
    Task<IReadOnlyList<Trunk>> ListAsync(string? domain, CancellationToken ct = default);

    Task<bool> RemoveAsync(string domain, string name, CancellationToken ct = default);

    Task<string?> GetPasswordAsync(long trunkId, CancellationToken ct = default);
}
