using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Sessions;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// The check in front of every admin route (docs/admin.md, "Security"): a live session of an extension whose role is
/// admin or system-admin, read afresh on each request (a role taken away counts at once); and on every request that
/// is not a GET, the session's CSRF token in <see cref="CsrfTokens.HeaderName"/>.
/// </summary>
internal static partial class AdminGate
{
    public static async ValueTask<object?> CheckAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        var token = SessionCookie.Read(http.Request);
        var session = await services.GetRequiredService<SessionService>().ResolveAsync(token, http.RequestAborted);
        if (session is not { Extension: var extension } || token is null)
        {
            return Results.Json(new ErrorReply("not_authenticated"), statusCode: StatusCodes.Status401Unauthorized);
        }

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Web.Api.Admin");
        if (!extension.Role.IsAdmin())
        {
            LogNotAdmin(logger, Redact.Account(extension.Account), ClientAddress.Of(http), http.Request.Path.Value ?? "");
            return Results.Json(new ErrorReply("not_admin"), statusCode: StatusCodes.Status403Forbidden);
        }

        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) &&
            !services.GetRequiredService<CsrfTokens>().Matches(token, http.Request.Headers[CsrfTokens.HeaderName].ToString()))
        {
            LogCsrfRefused(logger, Redact.Account(extension.Account), ClientAddress.Of(http), http.Request.Method, http.Request.Path.Value ?? "");
            return Results.Json(new ErrorReply("csrf_invalid"), statusCode: StatusCodes.Status403Forbidden);
        }

        http.Items[typeof(AdminCaller)] = new AdminCaller(extension, token);
        return await next(context);
    }

    /// <summary>The caller the gate let through; only valid inside an admin route.</summary>
    public static AdminCaller Caller(HttpContext http) => (AdminCaller)http.Items[typeof(AdminCaller)]!;

    [LoggerMessage(EventId = 3040, Level = LogLevel.Warning, Message = "Non-admin {Account} from {Address} asked for {Path}")]
    private static partial void LogNotAdmin(ILogger logger, string account, string address, string path);

    [LoggerMessage(EventId = 3042, Level = LogLevel.Warning, Message = "Admin {Account} from {Address}: {Method} {Path} without a valid CSRF token, refused")]
    private static partial void LogCsrfRefused(ILogger logger, string account, string address, string method, string path);
}
