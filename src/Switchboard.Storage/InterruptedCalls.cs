using Switchboard.Pbx.Calls;

namespace Switchboard.Storage;

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
    private static readonly string RecordSql = $"""
        INSERT INTO call_records (call_id, domain, from_account, destination, origin, route, started_at, answered_at, ended_at, reason, ended_by, token_label)
        SELECT l.call_id, l.domain, l.from_account, l.destination, l.origin, l.route, l.started_at, l.answered_at,
               CASE WHEN l.updated_at > n.alive_at THEN l.updated_at ELSE n.alive_at END, '{CallEndReason.Interrupted.ToCode()}', 'pbx', l.token_label
        FROM live_calls l CROSS JOIN node_state n WHERE n.id = 1
        ON CONFLICT (call_id) DO NOTHING;
        DELETE FROM live_calls;
        """;

    /// <summary>Writes the records and removes the markers in one transaction.</summary>
    /// <returns>How many calls were recorded as interrupted.</returns>
    public static async Task<int> RecordAsync(StoreDatabase db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using var count = c.Command("SELECT count(*) FROM live_calls;", tx);
        var found = (int)await count.ScalarInt64Async(ct);
        if (found > 0)
        {
            await using var write = c.Command(RecordSql, tx);
            await write.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        return found;
    }
}
