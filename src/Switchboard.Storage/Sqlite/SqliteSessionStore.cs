using Switchboard.Pbx.Sessions;

namespace Switchboard.Storage.Sqlite;

public sealed class SqliteSessionStore : ISessionStore
{
    private readonly SqliteDatabase _db;

    public SqliteSessionStore(SqliteDatabase db) => _db = db;

    public async Task CreateAsync(StoredSession session, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO sessions (token_hash, extension_id, language, created_at, expires_at)
            VALUES ($hash, $ext, $lang, $created, $expires);
            """;
        cmd.Parameters.AddWithValue("$hash", session.TokenHash);
        cmd.Parameters.AddWithValue("$ext", session.ExtensionId);
        cmd.Parameters.AddWithValue("$lang", session.Language);
        cmd.Parameters.AddWithValue("$created", UnixTime.ToMs(session.CreatedAt));
        cmd.Parameters.AddWithValue("$expires", UnixTime.ToMs(session.ExpiresAt));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<StoredSession?> FindActiveAsync(byte[] tokenHash, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT token_hash, extension_id, language, created_at, expires_at FROM sessions
            WHERE token_hash = $hash AND revoked_at IS NULL AND expires_at > $now;
            """;
        cmd.Parameters.AddWithValue("$hash", tokenHash);
        cmd.Parameters.AddWithValue("$now", UnixTime.ToMs(now));
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
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE sessions SET revoked_at = $now WHERE token_hash = $hash AND revoked_at IS NULL;";
        cmd.Parameters.AddWithValue("$hash", tokenHash);
        cmd.Parameters.AddWithValue("$now", UnixTime.ToMs(now));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM sessions WHERE expires_at < $before OR revoked_at < $before;";
        cmd.Parameters.AddWithValue("$before", UnixTime.ToMs(before));
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
