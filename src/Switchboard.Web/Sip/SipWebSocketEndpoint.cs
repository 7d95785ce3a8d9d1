using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Sip;
using Switchboard.Web.Api;

namespace Switchboard.Web.Sip;

/// <summary>
/// <c>GET /sip</c>: SIP over WebSocket (RFC 7118) on the web ports, for browser softphones such as JsSIP.
/// Any Origin is accepted: nothing here rides on a cookie, every request is authenticated by SIP digest.
/// </summary>
internal static partial class SipWebSocketEndpoint
{
    public const string SubProtocol = "sip";

    public static void Map(IEndpointRouteBuilder app) =>
        app.Map("/sip", HandleAsync).RequireRateLimiting(AuthEndpoints.RateLimitPolicy);

    private static async Task HandleAsync(HttpContext http, ILoggerFactory logs)
    {
        var host = http.RequestServices.GetService<ISipWebSocketHost>();
        if (host is null || !http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        // RFC 7118 section 4.1: the client must ask for the "sip" subprotocol, and the server must agree to it.
        if (!http.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol, StringComparer.OrdinalIgnoreCase))
        {
            var log = logs.CreateLogger("Switchboard.Web.Sip");
            var address = ClientAddress.Of(http);
            LogNoSubprotocol(log, address);
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync(SubProtocol);
        var connection = http.Connection;
        var local = new IPEndPoint(connection.LocalIpAddress ?? IPAddress.Loopback, connection.LocalPort);
        var remote = new IPEndPoint(connection.RemoteIpAddress ?? IPAddress.Loopback, connection.RemotePort);
        await host.RunAsync(socket, local, remote, http.Request.IsHttps, http.RequestAborted);
    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "SIP WebSocket from {Address} refused: no 'sip' subprotocol")]
    private static partial void LogNoSubprotocol(ILogger logger, string address);
}
