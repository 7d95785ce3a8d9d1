using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Sessions;
using Switchboard.Web.Api;
using Switchboard.Web.Hosting;

namespace Switchboard.Web.Calls;

/// <summary><c>GET /api/call</c>: the popup's call WebSocket (docs/signalling.md, "Call WebSocket").</summary>
internal static partial class CallSocketEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.Map("/api/call", HandleAsync).RequireRateLimiting(AuthEndpoints.RateLimitPolicy);

    private static async Task HandleAsync(HttpContext http, TicketIssuer tickets, SessionService sessions, ResumableCalls resumable, CallEngine engine,
        Pbx.Tokens.CallTokenService tokens, WebOptions options, TimeProvider time, ILoggerFactory logs)
    {
        var log = logs.CreateLogger("Switchboard.Web.Calls");
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        // Cross-site WebSocket hijacking: a browser always sends Origin, and only our own page may use our cookie.
        if (!SameOrigin(http.Request))
        {
            LogForeignOrigin(log, ClientAddress.Of(http), http.Request.Headers.Origin.ToString());
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        // A page whose socket dropped resumes its call with the token of its last trying/resumed message, and
        // nothing else: the token is the credential (docs/security.md, "Resuming a call").
        CallAttachment? resuming = null;
        CallTicket? ticket = null;
        if (http.Request.Query.ContainsKey("resume"))
        {
            resuming = resumable.Redeem(http.Request.Query["resume"]);
        }
        else
        {
            ticket = await tickets.RedeemAsync(http.Request.Query["ticket"], http.RequestAborted);
            if (ticket is null && await sessions.ResolveAsync(SessionCookie.Read(http.Request), http.RequestAborted) is { } session)
            {
                ticket = new CallTicket(session.Extension, OnlyDestination: null, Origin: "web", time.GetUtcNow());
            }
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        using var connection = new CallSocketConnection(socket, ticket, resuming, resumable, engine, tokens, options, time, log);
        await connection.RunAsync(http.RequestAborted);
    }

    /// <summary>No Origin (not a browser), or this server's own; also the phone's SIP socket's rule (docs/phone.md).</summary>
    internal static bool SameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true; // Not a browser: it cannot carry a victim's cookie across sites.
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var o) &&
            string.Equals(o.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(o.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Call socket from {Address} refused: foreign origin {Origin}")]
    private static partial void LogForeignOrigin(ILogger logger, string address, string origin);
}
