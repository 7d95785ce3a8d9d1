using System.Globalization;
using System.Text;
using Switchboard.Pbx.Calls;

namespace Switchboard.Web.Api.Admin;

/// <summary>Call records as CSV (RFC 4180): a header line, CRLF line ends, fields quoted where they need it.</summary>
public static class CallRecordCsv
{
    public const string Header = "call_id,domain,from,to,origin,route,started_at,answered_at,ended_at,reason,ended_by,duration_seconds,digits," +
        "caller_loss_pct,caller_jitter_ms,caller_rtt_ms,caller_mos,callee_loss_pct,callee_jitter_ms,callee_rtt_ms,callee_mos," +
        "queue,queue_wait_seconds,agent";

    public static string Write(IEnumerable<CallRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var csv = new StringBuilder(Header).Append("\r\n");
        foreach (var r in records)
        {
            string?[] fields =
            [
                r.CallId, r.Domain, r.From, r.Destination, r.Origin, r.Route, Time(r.StartedAt), r.AnsweredAt is { } a ? Time(a) : "",
                Time(r.EndedAt), r.Reason, r.EndedBy, r.Duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture), r.Digits,
                .. Quality(r.CallerQuality), .. Quality(r.CalleeQuality),
                r.Queue, r.QueueWait is { } wait ? wait.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) : "", r.Agent,
            ];
            csv.AppendJoin(',', fields.Select(Field)).Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>Loss %, jitter ms, round trip ms and MOS; empty fields for a leg without figures.</summary>
    private static string?[] Quality(LegQualityFigures? q) => q is null
        ? ["", "", "", ""]
        : [Number(q.LossPercent), Number(q.JitterMs), q.RoundTripMs is { } rtt ? Number(rtt) : "", Number(q.Mos)];

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    /// <summary>
    /// RFC 4180 section 2 rules 6 and 7: a field with a comma, quote or line break is quoted, its quotes doubled. A field
    /// a spreadsheet would run as a formula (OWASP "CSV Injection": = @ or + - not followed by a digit, as a caller's
    /// display name from a carrier could be) gets a leading apostrophe; a dialled "+4930..." stays as it is.
    /// </summary>
    internal static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '@' or '\t' or '\r' || (value[0] is '+' or '-' && (value.Length == 1 || !char.IsAsciiDigit(value[1]))))
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
