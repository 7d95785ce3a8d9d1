namespace Switchboard.Pbx.Tokens;

/// <summary>Creating an API key: the only moment its secret exists outside the website's backend.</summary>
public static class ApiKeyAdmin
{
    /// <returns>The stored key and the full key, to show once.</returns>
    public static async Task<(ApiKey Key, string Secret)> CreateAsync(IApiKeyStore store, string domain, string callerNumber, string? label,
        DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var (secret, keyId, hash) = ApiKeySecret.New();
        var key = await store.CreateKeyAsync(domain, callerNumber, keyId, hash, string.IsNullOrWhiteSpace(label) ? null : label.Trim(), now, ct);
        return (key, secret);
    }
}
