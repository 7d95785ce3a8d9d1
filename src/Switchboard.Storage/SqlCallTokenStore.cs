using System.Data.Common;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Tokens;

namespace Switchboard.Storage;

/// <summary>API keys and the call tokens they mint (docs/tokens.md): hashes only, never a key or a token.</summary>
public sealed class SqlCallTokenStore : IApiKeyStore, ICallTokenStore
{
    private const string KeyColumns = "k.id, d.name, k.key_id, e.number, k.label, k.created_at, k.revoked_at, k.key_hash, k.caller_extension_id";
    private const string KeyJoins = "FROM api_keys k JOIN domains d ON d.id = k.domain_id JOIN extensions e ON e.id = k.caller_extension_id";

    private readonly StoreDatabase _db;

    public SqlCallTokenStore(StoreDatabase db) => _db = db;

    public async Task<ApiKey> CreateKeyAsync(string domain, string callerNumber, string keyId, byte[] secretHash, string? label, DateTimeOffset now,
        CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var find = c.Command("SELECT d.id, (SELECT e.id FROM extensions e WHERE e.domain_id = d.id AND e.number = @number) " +
            "FROM domains d WHERE d.name = @domain;").Param("@domain", domain).Param("@number", callerNumber);
        long domainId, callerId;
        await using (var r = await find.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                throw new DirectoryConflictException($"There is no domain '{domain}'.");
            }

            if (r.IsDBNull(1))
            {
                throw new DirectoryConflictException($"There is no extension {callerNumber}@{domain}.");
            }

            (domainId, callerId) = (r.GetInt64(0), r.GetInt64(1));
        }

        await using var insert = c.Command("""
            INSERT INTO api_keys (domain_id, key_id, key_hash, caller_extension_id, label, created_at)
            VALUES (@domain, @keyId, @hash, @caller, @label, @at);
            """).Param("@domain", domainId).Param("@keyId", keyId).Param("@hash", secretHash).Param("@caller", callerId)
            .Param("@label", label).Param("@at", UnixTime.ToMs(now));
        await insert.ExecuteNonQueryAsync(ct);
        return (await FindKeyAsync(c, keyId, activeOnly: false, ct))!.Key;
    }

    public async Task<StoredApiKey?> FindActiveKeyAsync(string keyId, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        return await FindKeyAsync(c, keyId, activeOnly: true, ct);
    }

    public async Task<IReadOnlyList<ApiKey>> ListKeysAsync(string? domain, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command($"SELECT {KeyColumns} {KeyJoins} WHERE @domain IS NULL OR d.name = @domain ORDER BY k.id;")
            .Param("@domain", domain);
        var list = new List<ApiKey>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(ReadKey(r).Key);
        }

        return list;
    }

    public async Task<bool> RevokeKeyAsync(string keyId, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("UPDATE api_keys SET revoked_at = @now WHERE key_id = @keyId AND revoked_at IS NULL;")
            .Param("@keyId", keyId).Param("@now", UnixTime.ToMs(now));
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task AddTokenAsync(CallToken token, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("""
            INSERT INTO call_tokens (token_hash, api_key_id, caller_extension_id, destination, label, max_duration_ms, created_at, expires_at)
            VALUES (@hash, @key, @caller, @dest, @label, @max, @created, @expires);
            """).Param("@hash", token.TokenHash).Param("@key", token.ApiKeyId).Param("@caller", token.CallerExtensionId)
            .Param("@dest", token.Destination).Param("@label", token.Label)
            .Param("@max", token.MaxDuration is { } max ? (long)max.TotalMilliseconds : null)
            .Param("@created", UnixTime.ToMs(token.CreatedAt)).Param("@expires", UnixTime.ToMs(token.ExpiresAt));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<CallToken?> FindTokenAsync(byte[] tokenHash, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("""
            SELECT token_hash, api_key_id, caller_extension_id, destination, label, max_duration_ms, created_at, expires_at, used_at
            FROM call_tokens WHERE token_hash = @hash;
            """).Param("@hash", tokenHash);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            return null;
        }

        return new CallToken((byte[])r.GetValue(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.NullableString(4),
            r.IsDBNull(5) ? null : TimeSpan.FromMilliseconds(r.GetInt64(5)), UnixTime.FromMs(r.GetInt64(6)), UnixTime.FromMs(r.GetInt64(7)),
            r.IsDBNull(8) ? null : UnixTime.FromMs(r.GetInt64(8)));
    }

    public async Task<bool> ConsumeTokenAsync(byte[] tokenHash, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("UPDATE call_tokens SET used_at = @now WHERE token_hash = @hash AND used_at IS NULL AND expires_at > @now;")
            .Param("@hash", tokenHash).Param("@now", UnixTime.ToMs(now));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<int> PurgeTokensAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("DELETE FROM call_tokens WHERE expires_at < @before;").Param("@before", UnixTime.ToMs(before));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<StoredApiKey?> FindKeyAsync(DbConnection c, string keyId, bool activeOnly, CancellationToken ct)
    {
        await using var cmd = c.Command($"SELECT {KeyColumns} {KeyJoins} WHERE k.key_id = @keyId" + (activeOnly ? " AND k.revoked_at IS NULL;" : ";"))
            .Param("@keyId", keyId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadKey(r) : null;
    }

    private static StoredApiKey ReadKey(DbDataReader r) =>
        new(new ApiKey(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.NullableString(4), UnixTime.FromMs(r.GetInt64(5)),
                r.IsDBNull(6) ? null : UnixTime.FromMs(r.GetInt64(6))),
            (byte[])r.GetValue(7), r.GetInt64(8));
}
