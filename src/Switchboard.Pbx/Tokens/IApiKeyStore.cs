namespace Switchboard.Pbx.Tokens;

/// <summary>API keys (docs/tokens.md). Only a SHA-256 of each key is stored.</summary>
public interface IApiKeyStore
{
    /// <exception cref="Directory.DirectoryConflictException">The domain or the caller extension does not exist.</exception>
    Task<ApiKey> CreateKeyAsync(string domain, string callerNumber, string keyId, byte[] secretHash, string? label, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>The key with this id if it exists and is not revoked.</summary>
    Task<StoredApiKey?> FindActiveKeyAsync(string keyId, CancellationToken ct = default);

    /// <param name="domain">Only this domain's keys; null for all.</param>
    Task<IReadOnlyList<ApiKey>> ListKeysAsync(string? domain, CancellationToken ct = default);

    /// <returns>false if there is no such key or it was revoked already.</returns>
    Task<bool> RevokeKeyAsync(string keyId, DateTimeOffset now, CancellationToken ct = default);
}
