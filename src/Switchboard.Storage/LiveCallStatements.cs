using System.Data;
using System.Data.Common;
using Switchboard.Pbx.Calls;

namespace Switchboard.Storage;

/// <summary>
/// The record writer's statements for crash safety: a call's live marker written or changed, its removal (run in the
/// transaction that inserts the call's record) and the heartbeat. Made once per writer connection and prepared.
/// </summary>
internal sealed class LiveCallStatements : IAsyncDisposable
{
    /// <summary>The marker is the record the call would get if the process died now; its end time is when it last changed.</summary>
    private const string MarkSql = """
        INSERT INTO live_calls (call_id, domain, from_account, destination, origin, route, started_at, answered_at, updated_at, token_label, node)
        VALUES (@id, @domain, @from, @dest, @origin, @route, @started, @answered, @ended, @tokenLabel, @node)
        ON CONFLICT (call_id) DO UPDATE SET route = excluded.route, answered_at = excluded.answered_at, updated_at = excluded.updated_at;
        """;

    private readonly DbCommand _mark;
    private readonly DbCommand _forget;
    private readonly DbCommand _beat;

    private LiveCallStatements(DbCommand mark, DbCommand forget, DbCommand beat)
    {
        _mark = mark;
        _forget = forget;
        _beat = beat;
    }

    public static async Task<LiveCallStatements> PrepareAsync(StoreDatabase db, DbConnection connection, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var mark = CallRecordInsert.Create(connection, MarkSql);
        mark.Declare("@node", DbType.String).Value = db.Node;
        var forget = connection.Command("DELETE FROM live_calls WHERE call_id = @id;");
        forget.Declare("@id", DbType.String);
        var beat = connection.Command("""
            INSERT INTO node_heartbeats (node, alive_at) VALUES (@node, @now)
            ON CONFLICT (node) DO UPDATE SET alive_at = CASE WHEN node_heartbeats.alive_at > excluded.alive_at THEN node_heartbeats.alive_at ELSE excluded.alive_at END;
            """);
        beat.Declare("@node", DbType.String).Value = db.Node;
        beat.Declare("@now", DbType.Int64);
        foreach (var cmd in new[] { mark, forget, beat })
        {
            await db.PrepareAsync(cmd, ct);
        }

        return new LiveCallStatements(mark, forget, beat);
    }

    public Task MarkAsync(DbTransaction tx, CallRecord interruptedNow)
    {
        CallRecordInsert.Bind(_mark, interruptedNow);
        return RunAsync(_mark, tx);
    }

    public Task ForgetAsync(DbTransaction tx, string callId)
    {
        _forget.Parameters[0].Value = callId;
        return RunAsync(_forget, tx);
    }

    public Task BeatAsync(DbTransaction tx, DateTimeOffset now)
    {
        _beat.Parameters[1].Value = UnixTime.ToMs(now);
        return RunAsync(_beat, tx);
    }

    public async ValueTask DisposeAsync()
    {
        await _mark.DisposeAsync();
        await _forget.DisposeAsync();
        await _beat.DisposeAsync();
    }

    private static async Task RunAsync(DbCommand cmd, DbTransaction tx)
    {
        cmd.Transaction = tx;
        await cmd.ExecuteNonQueryAsync();
    }
}
