using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Media;

namespace Switchboard.Web.Api;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format, for loopback clients only: live calls and media
/// set-up latency. No numbers, names or addresses.
/// </summary>
internal static class MetricsEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/metrics", Render);

    private static IResult Render(HttpContext http, CallEngine calls, MediaSetupStats setup)
    {
        if (http.Connection.RemoteIpAddress is not { } ip || !System.Net.IPAddress.IsLoopback(ip))
        {
            return Results.NotFound();
        }

        var text = new StringBuilder();
        text.Append("# TYPE switchboard_calls_active gauge\nswitchboard_calls_active ").Append(calls.ActiveCalls).Append('\n');
        text.Append("# TYPE switchboard_media_setup_ms summary\n");
        foreach (var q in new[] { 0.5, 0.95 })
        {
            if (setup.Quantile(q) is { } ms)
            {
                text.Append(CultureInfo.InvariantCulture, $"switchboard_media_setup_ms{{quantile=\"{q}\"}} {ms:0.###}\n");
            }
        }

        text.Append("switchboard_media_setup_ms_count ").Append(setup.Count).Append('\n');
        return Results.Text(text.ToString(), "text/plain; version=0.0.4");
    }
}
