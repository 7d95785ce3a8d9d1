using Switchboard.Pbx.Security;

namespace Switchboard.Storage;

public sealed class SqlLoginFailureStore : ILoginFailureStore
{
    private readonly StoreDatabase _db;

    public SqlLoginFailureStore(StoreDatabase db) => _db = db;

    public async Task RecordAsync(LoginFailure failure, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(failure);
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("INSERT INTO login_failures (at, account, address, path, reason) VALUES (@at, @account, @address, @path, @reason);")
            .Param("@at", UnixTime.ToMs(failure.At)).Param("@account", failure.Account).Param("@address", failure.Address)
            .Param("@path", failure.Path).Param("@reason", failure.Reason);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<LoginFailure>> ListAsync(int limit, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("SELECT at, account, address, path, reason FROM login_failures ORDER BY id DESC LIMIT @limit;")
            .Param("@limit", limit);
        var list = new List<LoginFailure>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new LoginFailure(UnixTime.FromMs(r.GetInt64(0)), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4)));
        }

        return list;
    }
}
