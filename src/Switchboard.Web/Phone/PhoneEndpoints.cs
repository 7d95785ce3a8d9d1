using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Registrar;
using Switchboard.Pbx.Sessions;
using Switchboard.Pbx.Sip;
using Switchboard.Web.Api;
using Switchboard.Web.Calls;
using Switchboard.Web.Hosting;
using Switchboard.Web.Sip;

namespace Switchboard.Web.Phone;

/// <summary>
/// phone.htm's two endpoints (docs/phone.md): its session, and its SIP WebSocket, which is <c>/sip</c>'s RFC 7118
/// transport authorised by the web login instead of SIP digest and bound to the logged-in extension.
/// </summary>
internal static partial class PhoneEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/phone").RequireRateLimiting(AuthEndpoints.RateLimitPolicy);
        api.MapGet("/session", GetSessionAsync);
        api.Map("/sip", HandleSipAsync);
    }

    /// <summary>As <c>GET /api/session</c>, without a number to call: the phone has none until the user types one.</summary>
    private static async Task<IResult> GetSessionAsync(HttpContext http, SessionService sessions, LanguageCatalog languages, string? lang)
    {
        var session = await sessions.ResolveAsync(SessionCookie.Read(http.Request), http.RequestAborted);
        var chosen = languages.Resolve(lang, session?.Language, http.Request.Headers.AcceptLanguage);
        var list = languages.Languages.Select(l => new LanguageReply(l.Code, l.Name)).ToList();
        return Results.Ok(new SessionReply(session is not null, session?.Extension.Account, chosen, list));
    }

    /// <summary>
    /// <c>GET /api/phone/sip?ticket=T</c> (or with the session cookie): the same origin rule as the call socket, a
    /// login's ticket (never a link's or a call token's: those grant one number, not a phone) or a remembered session,
    /// then the connection runs as SIP over WebSocket bound to that extension for as long as it is open.
    /// </summary>
    private static async Task HandleSipAsync(HttpContext http, TicketIssuer tickets, SessionService sessions, ILoggerFactory logs)
    {
        var log = logs.CreateLogger("Switchboard.Web.Phone");
        var host = http.RequestServices.GetService<ISipWebSocketHost>();
        var bindings = http.RequestServices.GetService<SipFlowBindings>();
        if (host is null || bindings is null || !http.WebSockets.IsWebSocketRequest ||
            !http.WebSockets.WebSocketRequestedProtocols.Contains(SipWebSocketEndpoint.SubProtocol, StringComparer.OrdinalIgnoreCase))
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        // Cross-site WebSocket hijacking: only our own page may ride on our cookie (docs/security.md).
        if (!CallSocketEndpoint.SameOrigin(http.Request))
        {
            LogForeignOrigin(log, ClientAddress.Of(http), http.Request.Headers.Origin.ToString());
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (await ExtensionOfAsync(http, tickets, sessions) is not { } extension)
        {
            LogUnauthorized(log, ClientAddress.Of(http));
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync(SipWebSocketEndpoint.SubProtocol);
        var connection = http.Connection;
        var local = new IPEndPoint(connection.LocalIpAddress ?? IPAddress.Loopback, connection.LocalPort);
        var remote = new IPEndPoint(connection.RemoteIpAddress ?? IPAddress.Loopback, connection.RemotePort);
        using (bindings.Bind(http.Request.IsHttps, remote, extension))
        {
            await host.RunAsync(socket, local, remote, http.Request.IsHttps, http.RequestAborted);
        }
    }

    private static async Task<Extension?> ExtensionOfAsync(HttpContext http, TicketIssuer tickets, SessionService sessions)
    {
        if (http.Request.Query.ContainsKey("ticket"))
        {
            var ticket = await tickets.RedeemAsync(http.Request.Query["ticket"], http.RequestAborted);
            return ticket is { OnlyDestination: null, Origin: "web" } ? ticket.Caller : null;
        }

        return (await sessions.ResolveAsync(SessionCookie.Read(http.Request), http.RequestAborted))?.Extension;
    }

    [LoggerMessage(EventId = 3070, Level = LogLevel.Warning, Message = "Phone SIP socket from {Address} refused: foreign origin {Origin}")]
    private static partial void LogForeignOrigin(ILogger logger, string address, string origin);

    [LoggerMessage(EventId = 3071, Level = LogLevel.Warning, Message = "Phone SIP socket from {Address} refused: no valid ticket or session")]
    private static partial void LogUnauthorized(ILogger logger, string address);
}
