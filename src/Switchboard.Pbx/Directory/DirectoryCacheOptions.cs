namespace Switchboard.Pbx.Directory;

/// <summary>Bounds of <see cref="CachedDirectoryStore"/> (docs/security.md, "Directory cache").</summary>
public sealed record DirectoryCacheOptions
{
    /// <summary>How often, at most, the cache reads the store's change counter: a change made by another process shows within this.</summary>
    public TimeSpan VersionCheckInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long "no such domain or extension" is remembered, so a scanner probing numbers does not reach the store each time.</summary>
    public TimeSpan NegativeLifetime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a SIP password stays in memory after it was read, even without a change.</summary>
    public TimeSpan SecretLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Entries per kind (domains, extensions by number, by id, SIP passwords); a full kind is emptied and refills.</summary>
    public int Capacity { get; init; } = 50_000;
}
