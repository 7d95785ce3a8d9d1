using System.Data;
using System.Data.Common;
using Switchboard.Pbx.Calls;

namespace Switchboard.Storage;

/// <summary>
/// The one INSERT of a call record, shared by the single write and the batching writer. Its parameters are made once,
/// with their types, so a prepared command is reused record after record with only the values changed.
/// </summary>
internal static class CallRecordInsert
{
    private const string Sql = """
        INSERT INTO call_records (call_id, domain, from_account, destination, origin, route, started_at, answered_at, ended_at, reason, ended_by, digits, digit_log, phases, token_label,
            caller_loss_pct, caller_jitter_ms, caller_rtt_ms, caller_mos, callee_loss_pct, callee_jitter_ms, callee_rtt_ms, callee_mos, page_quality, queue, queue_wait_ms, agent)
        VALUES (@id, @domain, @from, @dest, @origin, @route, @started, @answered, @ended, @reason, @endedBy, @digits, @digitLog, @phases, @tokenLabel,
            @callerLoss, @callerJitter, @callerRtt, @callerMos, @calleeLoss, @calleeJitter, @calleeRtt, @calleeMos, @pageQuality, @queue, @queueWait, @agent);
        """;

    private static readonly (string Name, DbType Type)[] Parameters =
    [
        ("@id", DbType.String), ("@domain", DbType.String), ("@from", DbType.String), ("@dest", DbType.String), ("@origin", DbType.String),
        ("@route", DbType.String), ("@started", DbType.Int64), ("@answered", DbType.Int64), ("@ended", DbType.Int64), ("@reason", DbType.String),
        ("@endedBy", DbType.String), ("@digits", DbType.String), ("@digitLog", DbType.String), ("@phases", DbType.String),
        ("@tokenLabel", DbType.String),
        ("@callerLoss", DbType.Double), ("@callerJitter", DbType.Double), ("@callerRtt", DbType.Double), ("@callerMos", DbType.Double),
        ("@calleeLoss", DbType.Double), ("@calleeJitter", DbType.Double), ("@calleeRtt", DbType.Double), ("@calleeMos", DbType.Double),
        ("@pageQuality", DbType.String),
        ("@queue", DbType.String), ("@queueWait", DbType.Int64), ("@agent", DbType.String),
    ];

    public static DbCommand Create(DbConnection connection) => Create(connection, Sql);

    /// <summary>A command for <paramref name="sql"/>, which names any of the record's parameters (the live marker's upsert), bound by <see cref="Bind"/>.</summary>
    public static DbCommand Create(DbConnection connection, string sql)
    {
        var cmd = connection.Command(sql);
        foreach (var (name, type) in Parameters)
        {
            cmd.Declare(name, type);
        }

        return cmd;
    }

    /// <summary>Sets the values of a command made by <see cref="Create"/>, in the order of <see cref="Parameters"/>.</summary>
    public static void Bind(DbCommand cmd, CallRecord record)
    {
        var p = cmd.Parameters;
        p[0].Value = record.CallId;
        p[1].Value = record.Domain;
        p[2].Value = record.From;
        p[3].Value = record.Destination;
        p[4].Value = record.Origin;
        p[5].Value = record.Route;
        p[6].Value = UnixTime.ToMs(record.StartedAt);
        p[7].Value = record.AnsweredAt is { } a ? UnixTime.ToMs(a) : DBNull.Value;
        p[8].Value = UnixTime.ToMs(record.EndedAt);
        p[9].Value = record.Reason;
        p[10].Value = record.EndedBy;
        p[11].Value = (object?)record.Digits ?? DBNull.Value;
        p[12].Value = (object?)record.DigitLog ?? DBNull.Value;
        p[13].Value = (object?)record.Phases ?? DBNull.Value;
        p[14].Value = (object?)record.TokenLabel ?? DBNull.Value;
        BindQuality(p, 15, record.CallerQuality);
        BindQuality(p, 19, record.CalleeQuality);
        p[23].Value = (object?)record.PageQuality ?? DBNull.Value;
        p[24].Value = (object?)record.Queue ?? DBNull.Value;
        p[25].Value = record.QueueWait is { } wait ? (long)wait.TotalMilliseconds : DBNull.Value;
        p[26].Value = (object?)record.Agent ?? DBNull.Value;
    }

    /// <summary>Loss, jitter, round trip and MOS of one leg into four parameters from <paramref name="first"/>; all null without figures.</summary>
    private static void BindQuality(DbParameterCollection p, int first, LegQualityFigures? q)
    {
        p[first].Value = q is null ? DBNull.Value : q.LossPercent;
        p[first + 1].Value = q is null ? DBNull.Value : q.JitterMs;
        p[first + 2].Value = q?.RoundTripMs is { } rtt ? rtt : DBNull.Value;
        p[first + 3].Value = q is null ? DBNull.Value : q.Mos;
    }
}
