using Switchboard.Pbx.Calls;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// At start, before the PBX takes calls: every live marker a dead process left behind becomes its call's record, reason
/// <c>interrupted</c>, ended by <c>pbx</c>, ending when the process was last known alive (docs/call-records.md,
/// "Calls up when the PBX dies"). A clean stop ends every call first, so it leaves no marker.
/// </summary>
public static class InterruptedCalls
{
    /// <summary>
    /// The end is the later of the writer's last heartbeat and the marker's own last change: the process was alive at
    /// both. A marker whose call already has a record (impossible while both are written in one transaction) is dropped.
    /// </summary>
    private static readonly string Sql = $"""
        INSERT OR IGNORE INTO call_records (call_id, domain, from_account, destination, origin, route, started_at, answered_at, ended_at, reason, ended_by)
        SELECT call_id, domain, from_account, destination, origin, route, started_at, answered_at,
               max(updated_at, (SELECT alive_at FROM node_state WHERE id = 1)), '{CallEndReason.Interrupted.ToCode()}', 'pbx'
        FROM live_calls;
        DELETE FROM live_calls;
        """;

    /// <summary>Writes the records and removes the markers in one transaction.</summary>
    /// <returns>How many calls were recorded as interrupted.</returns>
    public static async Task<int> RecordAsync(SqliteDatabase db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var c = await db.OpenAsync(ct);
        await using var tx = c.BeginTransaction();
        using var count = c.CreateCommand();
        count.Transaction = tx;
        count.CommandText = "SELECT count(*) FROM live_calls;";
        var found = Convert.ToInt32(await count.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        if (found > 0)
        {
            using var write = c.CreateCommand();
            write.Transaction = tx;
            write.CommandText = Sql;
            await write.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        return found;
    }
}
