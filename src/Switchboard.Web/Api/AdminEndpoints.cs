using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Sessions;

namespace Switchboard.Web.Api;

/// <summary>
/// The administrators' API (docs/call-records.md): the session cookie of an extension whose role is admin;
/// an admin sees only the records of its own domain.
/// </summary>
internal static partial class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireRateLimiting(AuthEndpoints.RateLimitPolicy);
        admin.MapGet("/calls", ListCallsAsync);
    }

    private static async Task<IResult> ListCallsAsync(HttpContext http, SessionService sessions, ICallRecordStore records, ILoggerFactory logs,
        string? domain, string? since, string? until, string? from, string? to, string? route, string? reason, int? limit, string? before)
    {
        var session = await sessions.ResolveAsync(SessionCookie.Read(http.Request), http.RequestAborted);
        if (session is not { Extension: var extension })
        {
            return Results.Json(new ErrorReply("not_authenticated"), statusCode: StatusCodes.Status401Unauthorized);
        }

        var logger = logs.CreateLogger("Switchboard.Web.Api.Admin");
        if (extension.Role != ExtensionRole.Admin)
        {
            LogNotAdmin(logger, Redact.Account(extension.Account), ClientAddress.Of(http));
            return Results.Json(new ErrorReply("not_admin"), statusCode: StatusCodes.Status403Forbidden);
        }

        if (domain is not null && !string.Equals(domain, extension.Domain, StringComparison.OrdinalIgnoreCase))
        {
            return Results.Json(new ErrorReply("other_domain"), statusCode: StatusCodes.Status403Forbidden);
        }

        if (!IsoTime.TryParse(since, out var sinceAt) || !IsoTime.TryParse(until, out var untilAt) || !IsoTime.TryParse(before, out var beforeAt) ||
            limit is < 1 or > CallRecordQuery.MaxLimit)
        {
            return Results.BadRequest(new ErrorReply("bad_query"));
        }

        var query = new CallRecordQuery
        {
            Domain = extension.Domain,
            From = Blank(from),
            To = Blank(to),
            Since = sinceAt,
            Until = untilAt,
            Before = beforeAt,
            RoutePrefix = Blank(route),
            Reason = Blank(reason),
            Limit = limit ?? 100,
        };
        var found = await records.QueryAsync(query, http.RequestAborted);
        LogListed(logger, extension.Number, extension.Domain, found.Count);
        var next = found.Count == query.EffectiveLimit ? found[^1].StartedAt : (DateTimeOffset?)null;
        return Results.Ok(new CallListReply([.. found.Select(CallRecordReply.Of)], next));
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    [LoggerMessage(EventId = 3040, Level = LogLevel.Warning, Message = "Non-admin {Account} from {Address} asked for call records")]
    private static partial void LogNotAdmin(ILogger logger, string account, string address);

    [LoggerMessage(EventId = 3041, Level = LogLevel.Information, Message = "Admin {Number}@{Domain} listed {Count} call records")]
    private static partial void LogListed(ILogger logger, string number, string domain, int count);
}
