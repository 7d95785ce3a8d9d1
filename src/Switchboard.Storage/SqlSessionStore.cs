using Switchboard.Pbx.Sessions;

namespace Switchboard.Storage;

public sealed class SqlSessionStore : ISessionStore
{
    private readonly StoreDatabase _db;

    public SqlSessionStore(StoreDatabase db) => _db = db;

    public async Task CreateAsync(StoredSession session, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("""
            INSERT INTO sessions (token_hash, extension_id, language, created_at, expires_at)
            VALUES (@hash, @ext, @lang, @created, @expires);
            """)
            .Param("@hash", session.TokenHash).Param("@ext", session.ExtensionId).Param("@lang", session.Language)
            .Param("@created", UnixTime.ToMs(session.CreatedAt)).Param("@expires", UnixTime.ToMs(session.ExpiresAt));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<StoredSession?> FindActiveAsync(byte[] tokenHash, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("""
            SELECT token_hash, extension_id, language, created_at, expires_at FROM sessions
            WHERE token_hash = @hash AND revoked_at IS NULL AND expires_at > @now;
            """).Param("@hash", tokenHash).Param("@now", UnixTime.ToMs(now));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            return null;
        }

        return new StoredSession((byte[])r.GetValue(0), r.GetInt64(1), r.GetString(2), UnixTime.FromMs(r.GetInt64(3)), UnixTime.FromMs(r.GetInt64(4)));
    }

    public async Task RevokeAsync(byte[] tokenHash, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("UPDATE sessions SET revoked_at = @now WHERE token_hash = @hash AND revoked_at IS NULL;")
            .Param("@hash", tokenHash).Param("@now", UnixTime.ToMs(now));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("DELETE FROM sessions WHERE expires_at < @before OR revoked_at < @before;")
            .Param("@before", UnixTime.ToMs(before));
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
