using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.Pbx.Calls;

namespace Switchboard.Web.Api;

/// <summary>
/// One call record on the wire (docs/call-records.md): times as ISO 8601 with offset, the talk time in seconds.
/// Shared by <c>GET /api/admin/calls</c> and <c>calls list --json</c>.
/// </summary>
public sealed record CallRecordReply(
    string CallId,
    string Domain,
    string From,
    string To,
    string Origin,
    string Route,
    DateTimeOffset StartedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset EndedAt,
    string Reason,
    string EndedBy,
    double DurationSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Digits,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DigitLog,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Phases,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TokenLabel,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QualityReply? Quality,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Queue = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? QueueWaitSeconds = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Agent = null)
{
    public static CallRecordReply Of(CallRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.CallId, record.Domain, record.From, record.Destination, record.Origin, record.Route,
            record.StartedAt, record.AnsweredAt, record.EndedAt, record.Reason, record.EndedBy,
            record.Duration.TotalSeconds, record.Digits, record.DigitLog, StoredJson.Parse(record.Phases), record.TokenLabel,
            QualityReply.Of(record.CallerQuality, record.CalleeQuality, record.PageQuality),
            record.Queue, record.QueueWait?.TotalSeconds, record.Agent);
    }
}

/// <param name="Before">The cursor for the next page (pass it as <c>before=</c>); null on the last page.</param>
public sealed record CallListReply(IReadOnlyList<CallRecordReply> Calls, DateTimeOffset? Before);
