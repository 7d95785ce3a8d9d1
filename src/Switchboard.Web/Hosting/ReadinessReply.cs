using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Switchboard.Web.Hosting;

/// <summary>
/// The body of <c>GET /readyz</c> (docs/configuration.md, "Health"): <c>{"status":"ready","checks":{"store":"ok",...}}</c>
/// with 200, or <c>"not_ready"</c>, each failed check's reason and the list of failed checks, with 503.
/// </summary>
internal static class ReadinessReply
{
    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        var checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Description ?? e.Value.Status.ToString().ToLowerInvariant(), StringComparer.Ordinal);
        var failed = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Key).ToArray();
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new Reply(report.Status == HealthStatus.Healthy ? "ready" : "not_ready", checks, failed);
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, JsonOptions), http.RequestAborted);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record Reply(string Status, IReadOnlyDictionary<string, string> Checks, IReadOnlyList<string> Failed);
}
