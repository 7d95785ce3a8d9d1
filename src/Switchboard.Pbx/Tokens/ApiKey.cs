namespace Switchboard.Pbx.Tokens;

/// <summary>
/// A website backend's key to mint call tokens for one domain (docs/tokens.md). The secret is not here: the store
/// keeps only its SHA-256; <see cref="KeyId"/> is the public prefix the key is looked up by.
/// </summary>
/// <param name="CallerNumber">The extension the key's calls run as: its caller ID, permissions and limits.</param>
public sealed record ApiKey(long Id, string Domain, string KeyId, string CallerNumber, string? Label, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
