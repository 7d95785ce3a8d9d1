using System.Data.Common;
using Switchboard.Pbx.Calls;

namespace Switchboard.Storage;

/// <summary>Call records read and written straight on the database, one connection per operation.</summary>
public sealed class SqlCallRecordStore : ICallRecordStore
{
    private readonly StoreDatabase _db;

    public SqlCallRecordStore(StoreDatabase db) => _db = db;

    /// <summary>Writes one record in its own transaction (the CLI, tests). The running server batches through <see cref="BatchedCallRecordStore"/>.</summary>
    public async Task AddAsync(CallRecord record, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(record);

        // A call's shard may call this (ICallRecordStore's promise): the write runs on the thread pool.
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = CallRecordInsert.Create(c);
        CallRecordInsert.Bind(cmd, record);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public Task<IReadOnlyList<CallRecord>> ListAsync(int limit, CancellationToken ct = default) =>
        QueryAsync(new CallRecordQuery { Limit = limit }, ct);

    public async Task<IReadOnlyList<CallRecord>> QueryAsync(CallRecordQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        Prepare(cmd, query);
        var list = new List<CallRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new CallRecord(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                UnixTime.FromMs(r.GetInt64(6)), r.IsDBNull(7) ? null : UnixTime.FromMs(r.GetInt64(7)), UnixTime.FromMs(r.GetInt64(8)),
                r.GetString(9), r.GetString(10), r.NullableString(11))
            {
                DigitLog = r.NullableString(12),
                Phases = r.NullableString(13),
                TokenLabel = r.NullableString(14),
                CallerQuality = ReadQuality(r, 15),
                CalleeQuality = ReadQuality(r, 19),
                PageQuality = r.NullableString(23),
                Queue = r.NullableString(24),
                QueueWait = r.IsDBNull(25) ? null : TimeSpan.FromMilliseconds(r.GetInt64(25)),
                Agent = r.NullableString(26),
            });
        }

        return list;
    }

    /// <summary>
    /// Writes only the conditions the query sets, so the engine picks the index that fits
    /// (<c>domain, started_at</c> for a domain; <c>started_at</c> otherwise). Values are always parameters.
    /// From and To match a whole account or the number part of one ("100" finds "100@demo.local", not "1000@...").
    /// </summary>
    internal static void Prepare(DbCommand cmd, CallRecordQuery query)
    {
        var where = new List<string>();
        void Text(string condition, string name, string? value)
        {
            if (value is not null)
            {
                where.Add(condition);
                cmd.Param(name, value);
            }
        }

        void Time(string condition, string name, DateTimeOffset? value)
        {
            if (value is { } time)
            {
                where.Add(condition);
                cmd.Param(name, UnixTime.ToMs(time));
            }
        }

        Text("domain = @domain", "@domain", query.Domain);
        Text("(from_account = @from OR substr(from_account, 1, length(@from) + 1) = @from || '@')", "@from", query.From);
        Text("(destination = @to OR substr(destination, 1, length(@to) + 1) = @to || '@')", "@to", query.To);
        Time("started_at >= @since", "@since", query.Since);
        Time("started_at < @until", "@until", query.Until);
        Time("started_at < @before", "@before", query.Before);
        Text("substr(route, 1, length(@route)) = @route", "@route", query.RoutePrefix);
        Text("reason = @reason", "@reason", query.Reason);
        cmd.Param("@limit", query.EffectiveLimit);
        cmd.CommandText =
            "SELECT call_id, domain, from_account, destination, origin, route, started_at, answered_at, ended_at, reason, ended_by, digits, digit_log, phases, token_label, " +
            "caller_loss_pct, caller_jitter_ms, caller_rtt_ms, caller_mos, callee_loss_pct, callee_jitter_ms, callee_rtt_ms, callee_mos, page_quality, queue, queue_wait_ms, agent " +
            "FROM call_records" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
            " ORDER BY started_at DESC, id DESC LIMIT @limit;";
    }

    /// <summary>One leg's four quality columns from <paramref name="first"/>: null when the leg was not measured (its MOS is null).</summary>
    private static LegQualityFigures? ReadQuality(DbDataReader r, int first) =>
        r.IsDBNull(first + 3)
            ? null
            : new LegQualityFigures(r.IsDBNull(first) ? 0 : r.GetDouble(first), r.IsDBNull(first + 1) ? 0 : r.GetDouble(first + 1),
                r.IsDBNull(first + 2) ? null : r.GetDouble(first + 2), r.GetDouble(first + 3));

    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("DELETE FROM call_records WHERE started_at < @cutoff;").Param("@cutoff", UnixTime.ToMs(cutoff));
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
