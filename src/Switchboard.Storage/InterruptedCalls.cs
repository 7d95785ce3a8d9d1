using Switchboard.Pbx.Calls;

namespace Switchboard.Storage;

/// <summary>
/// Every live marker a dead process left behind becomes its call's record, reason <c>interrupted</c>, ended by
/// <c>pbx</c>, ending when that process was last known alive (docs/call-records.md, "Calls up when the PBX dies"). A
/// clean stop ends every call first, so it leaves no marker. Which processes are dead: on a SQLite file (one process
/// per data folder) every other one, at start; on a database several nodes share, those whose heartbeat is older than
/// the limit given (docs/scale-out.md, "When a node dies"), checked at start and then by the record writer now and then.
/// </summary>
public static class InterruptedCalls
{
    /// <summary>A marker's node is dead: not this process, and its heartbeat (none: 0) older than @dead_before.</summary>
    private const string DeadNode = """
        node <> @self AND COALESCE((SELECT h.alive_at FROM node_heartbeats h WHERE h.node = live_calls.node), 0) < @dead_before
        """;

    /// <summary>
    /// The end is the later of the node's last heartbeat and the marker's own last change: the process was alive at
    /// both. A marker whose call already has a record (impossible while both are written in one transaction) is dropped.
    /// The dead nodes' heartbeats go too: they will not beat again (a node that restarts is a new node).
    /// </summary>
    private static readonly string RecordSql = $"""
        INSERT INTO call_records (call_id, domain, from_account, destination, origin, route, started_at, answered_at, ended_at, reason, ended_by, token_label)
        SELECT l.call_id, l.domain, l.from_account, l.destination, l.origin, l.route, l.started_at, l.answered_at,
               CASE WHEN l.updated_at > COALESCE(h.alive_at, 0) THEN l.updated_at ELSE h.alive_at END,
               '{CallEndReason.Interrupted.ToCode()}', 'pbx', l.token_label
        FROM live_calls l LEFT JOIN node_heartbeats h ON h.node = l.node
        WHERE l.node <> @self AND COALESCE(h.alive_at, 0) < @dead_before
        ON CONFLICT (call_id) DO NOTHING;
        DELETE FROM live_calls WHERE {DeadNode};
        DELETE FROM node_heartbeats WHERE node <> @self AND alive_at < @dead_before;
        """;

    /// <summary>Writes the records and removes the markers in one transaction.</summary>
    /// <param name="deadBefore">
    /// A node whose last heartbeat is older is dead; null takes every other node as dead (a SQLite file at start).
    /// </param>
    /// <returns>How many calls were recorded as interrupted.</returns>
    public static async Task<int> RecordAsync(StoreDatabase db, DateTimeOffset? deadBefore = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var limit = deadBefore is { } t ? UnixTime.ToMs(t) : long.MaxValue;
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using var count = c.Command($"SELECT count(*) FROM live_calls WHERE {DeadNode};", tx)
            .Param("@self", db.Node).Param("@dead_before", limit);
        var found = (int)await count.ScalarInt64Async(ct);
        if (found > 0)
        {
            await using var write = c.Command(RecordSql, tx).Param("@self", db.Node).Param("@dead_before", limit);
            await write.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        return found;
    }
}
