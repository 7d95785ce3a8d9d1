using Microsoft.Data.Sqlite;
using Switchboard.Pbx.Calls;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The record writer's statements for crash safety: a call's live marker written or changed, its removal (run in the
/// transaction that inserts the call's record) and the heartbeat. Made once per writer connection and prepared.
/// </summary>
internal sealed class LiveCallStatements : IDisposable
{
    /// <summary>The marker is the record the call would get if the process died now; its end time is when it last changed.</summary>
    private const string MarkSql = """
        INSERT INTO live_calls (call_id, domain, from_account, destination, origin, route, started_at, answered_at, updated_at)
        VALUES ($id, $domain, $from, $dest, $origin, $route, $started, $answered, $ended)
        ON CONFLICT (call_id) DO UPDATE SET route = excluded.route, answered_at = excluded.answered_at, updated_at = excluded.updated_at;
        """;

    private readonly SqliteCommand _mark;
    private readonly SqliteCommand _forget;
    private readonly SqliteCommand _beat;

    public LiveCallStatements(SqliteConnection connection)
    {
        _mark = CallRecordInsert.Create(connection, MarkSql);
        _mark.Prepare();
        _forget = Prepare(connection, "DELETE FROM live_calls WHERE call_id = $id;", "$id");
        _beat = Prepare(connection, "UPDATE node_state SET alive_at = max(alive_at, $now) WHERE id = 1;", "$now");
    }

    public void Mark(SqliteTransaction tx, CallRecord interruptedNow)
    {
        CallRecordInsert.Bind(_mark, interruptedNow);
        Run(_mark, tx);
    }

    public void Forget(SqliteTransaction tx, string callId)
    {
        _forget.Parameters[0].Value = callId;
        Run(_forget, tx);
    }

    public void Beat(SqliteTransaction tx, DateTimeOffset now)
    {
        _beat.Parameters[0].Value = UnixTime.ToMs(now);
        Run(_beat, tx);
    }

    public void Dispose()
    {
        _mark.Dispose();
        _forget.Dispose();
        _beat.Dispose();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, string name)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
        cmd.Prepare();
        return cmd;
    }

    private static void Run(SqliteCommand cmd, SqliteTransaction tx)
    {
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }
}
