using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;

namespace Switchboard.Web.Api.Admin;

/// <summary>Call records (docs/call-records.md): the filtered list, and the same filter as CSV.</summary>
internal static partial class AdminEndpoints
{
    private static async Task<IResult> ListCallsAsync(HttpContext http, ICallRecordStore records, ILogger<AdminCaller> log,
        string? domain, string? since, string? until, string? from, string? to, string? route, string? reason, int? limit, string? before)
    {
        var caller = AdminGate.Caller(http);
        if (!caller.TryScope(domain, out var scope))
        {
            return OtherDomain();
        }

        if (RecordQuery(scope, since, until, from, to, route, reason, limit, before) is not { } query)
        {
            return Results.BadRequest(new ErrorReply("bad_query"));
        }

        var found = await records.QueryAsync(query, http.RequestAborted);
        LogListed(log, caller.Extension.Number, caller.Extension.Domain, found.Count);
        var next = found.Count == query.EffectiveLimit ? found[^1].StartedAt : (DateTimeOffset?)null;
        return Results.Ok(new CallListReply([.. found.Select(CallRecordReply.Of)], next));
    }

    /// <summary>The records the same filter finds (up to <see cref="CallRecordQuery.MaxLimit"/>, or <c>limit</c>), as an RFC 4180 file.</summary>
    private static async Task<IResult> ExportCallsAsync(HttpContext http, ICallRecordStore records, ILogger<AdminCaller> log,
        string? domain, string? since, string? until, string? from, string? to, string? route, string? reason, int? limit, string? before)
    {
        var caller = AdminGate.Caller(http);
        if (!caller.TryScope(domain, out var scope))
        {
            return OtherDomain();
        }

        if (RecordQuery(scope, since, until, from, to, route, reason, limit ?? CallRecordQuery.MaxLimit, before) is not { } query)
        {
            return Results.BadRequest(new ErrorReply("bad_query"));
        }

        var found = await records.QueryAsync(query, http.RequestAborted);
        LogExported(log, caller.Extension.Number, caller.Extension.Domain, found.Count);
        http.Response.Headers.ContentDisposition = "attachment; filename=\"call-records.csv\"";
        return Results.Text(CallRecordCsv.Write(found), "text/csv; charset=utf-8");
    }

    private static CallRecordQuery? RecordQuery(string? scope, string? since, string? until, string? from, string? to, string? route, string? reason,
        int? limit, string? before)
    {
        if (!IsoTime.TryParse(since, out var sinceAt) || !IsoTime.TryParse(until, out var untilAt) || !IsoTime.TryParse(before, out var beforeAt) ||
            limit is < 1 or > CallRecordQuery.MaxLimit)
        {
            return null;
        }

        return new CallRecordQuery
        {
            Domain = scope,
            From = Blank(from),
            To = Blank(to),
            Since = sinceAt,
            Until = untilAt,
            Before = beforeAt,
            RoutePrefix = Blank(route),
            Reason = Blank(reason),
            Limit = limit ?? 100,
        };
    }

    [LoggerMessage(EventId = 3041, Level = LogLevel.Information, Message = "Admin {Number}@{Domain} listed {Count} call records")]
    private static partial void LogListed(ILogger logger, string number, string domain, int count);

    [LoggerMessage(EventId = 3043, Level = LogLevel.Information, Message = "Admin {Number}@{Domain} exported {Count} call records as CSV")]
    private static partial void LogExported(ILogger logger, string number, string domain, int count);
}
