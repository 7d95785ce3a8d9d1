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

    public Task<IReadOnlyList<CallRecord>> ListAsync(int limit, CancellationToken ct = default) =>
        QueryAsync(new CallRecordQuery { Limit = limit }, ct);

    public async Task<IReadOnlyList<CallRecord>> QueryAsync(CallRecordQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();

        // A NULL parameter switches its filter off, so one statement (and one cached plan) serves every query.
        // From and To match a whole account or the number part of one ("100" finds "100@demo.local").
        cmd.CommandText = """
            SELECT call_id, domain, from_account, destination, origin, route, started_at, answered_at, ended_at, reason, ended_by, digits, digit_log
            FROM call_records
            WHERE ($domain IS NULL OR domain = $domain)
              AND ($from IS NULL OR from_account = $from OR substr(from_account, 1, length($from) + 1) = $from || '@')
              AND ($to IS NULL OR destination = $to OR substr(destination, 1, length($to) + 1) = $to || '@')
              AND ($since IS NULL OR started_at >= $since)
              AND ($until IS NULL OR started_at < $until)
              AND ($before IS NULL OR started_at < $before)
              AND ($route IS NULL OR substr(route, 1, length($route)) = $route)
              AND ($reason IS NULL OR reason = $reason)
            ORDER BY started_at DESC, id DESC LIMIT $limit;
            """;
        cmd.Parameters.AddWithValue("$domain", (object?)query.Domain ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$from", (object?)query.From ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$to", (object?)query.To ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$since", query.Since is { } since ? UnixTime.ToMs(since) : DBNull.Value);
        cmd.Parameters.AddWithValue("$until", query.Until is { } until ? UnixTime.ToMs(until) : DBNull.Value);
        cmd.Parameters.AddWithValue("$before", query.Before is { } before ? UnixTime.ToMs(before) : DBNull.Value);
        cmd.Parameters.AddWithValue("$route", (object?)query.RoutePrefix ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$reason", (object?)query.Reason ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$limit", query.EffectiveLimit);
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

    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM call_records WHERE started_at < $cutoff;";
        cmd.Parameters.AddWithValue("$cutoff", UnixTime.ToMs(cutoff));
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
