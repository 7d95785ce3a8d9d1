using Switchboard.Pbx.Security;

namespace Switchboard.Storage.Sqlite;

public sealed class SqliteLoginFailureStore : ILoginFailureStore
{
    private readonly SqliteDatabase _db;

    public SqliteLoginFailureStore(SqliteDatabase db) => _db = db;

    public async Task RecordAsync(LoginFailure failure, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(failure);
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO login_failures (at, account, address, path, reason) VALUES ($at, $account, $address, $path, $reason);";
        cmd.Parameters.AddWithValue("$at", UnixTime.ToMs(failure.At));
        cmd.Parameters.AddWithValue("$account", failure.Account);
        cmd.Parameters.AddWithValue("$address", failure.Address);
        cmd.Parameters.AddWithValue("$path", failure.Path);
        cmd.Parameters.AddWithValue("$reason", failure.Reason);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<LoginFailure>> ListAsync(int limit, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT at, account, address, path, reason FROM login_failures ORDER BY id DESC LIMIT $limit;";
        cmd.Parameters.AddWithValue("$limit", limit);
        var list = new List<LoginFailure>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new LoginFailure(UnixTime.FromMs(r.GetInt64(0)), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4)));
        }

        return list;
    }
}
