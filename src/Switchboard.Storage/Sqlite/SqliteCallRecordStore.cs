using Switchboard.Pbx.Calls;

namespace Switchboard.Storage.Sqlite;

public sealed class SqliteCallRecordStore : ICallRecordStore
{
    private readonly SqliteDatabase _db;

    public SqliteCallRecordStore(SqliteDatabase db) => _db = db;

    public async Task AddAsync(CallRecord record, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO call_records (call_id, domain, from_account, destination, origin, route, started_at, answered_at, ended_at, reason, ended_by, digits, digit_log)
            VALUES ($id, $domain, $from, $dest, $origin, $route, $started, $answered, $ended, $reason, $endedBy, $digits, $digitLog);
            """;
        cmd.Parameters.AddWithValue("$id", record.CallId);
        cmd.Parameters.AddWithValue("$domain", record.Domain);
        cmd.Parameters.AddWithValue("$from", record.From);
        cmd.Parameters.AddWithValue("$dest", record.Destination);
        cmd.Parameters.AddWithValue("$origin", record.Origin);
        cmd.Parameters.AddWithValue("$route", record.Route);
        cmd.Parameters.AddWithValue("$started", UnixTime.ToMs(record.StartedAt));
        cmd.Parameters.AddWithValue("$answered", record.AnsweredAt is { } a ? UnixTime.ToMs(a) : DBNull.Value);
        cmd.Parameters.AddWithValue("$ended", UnixTime.ToMs(record.EndedAt));
        cmd.Parameters.AddWithValue("$reason", record.Reason);
        cmd.Parameters.AddWithValue("$endedBy", record.EndedBy);
        cmd.Parameters.AddWithValue("$digits", (object?)record.Digits ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$digitLog", (object?)record.DigitLog ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<CallRecord>> ListAsync(int limit, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT call_id, domain, from_account, destination, origin, route, started_at, answered_at, ended_at, reason, ended_by, digits, digit_log
            FROM call_records ORDER BY started_at DESC, id DESC LIMIT $limit;
            """;
        cmd.Parameters.AddWithValue("$limit", limit);
        var list = new List<CallRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new CallRecord(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                UnixTime.FromMs(r.GetInt64(6)), r.IsDBNull(7) ? null : UnixTime.FromMs(r.GetInt64(7)), UnixTime.FromMs(r.GetInt64(8)),
                r.GetString(9), r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11))
            {
                DigitLog = r.IsDBNull(12) ? null : r.GetString(12),
            });
        }

        return list;
    }
}
