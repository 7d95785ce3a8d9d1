using Microsoft.AspNetCore.Http;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Media;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Registrar;
using Switchboard.Pbx.Security;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// The portal's overview (docs/admin.md, "Overview"): the main figures of <c>/metrics</c>, which only loopback may scrape.
/// Calls up and registrations are counted in the admin's domain (every domain for a system admin, or the one chosen);
/// the rest is this node's, across domains, so only a system admin gets it (<see cref="NodeFiguresReply"/>).
/// </summary>
internal static partial class AdminEndpoints
{
    private static async Task<IResult> GetOverviewAsync(HttpContext http, CallEngine calls, LocationService locations, IDirectoryStore directory,
        TimeProvider time, IServiceProvider services, string? domain)
    {
        var caller = AdminGate.Caller(http);
        if (!caller.TryScope(domain, out var scope))
        {
            return OtherDomain();
        }

        var now = time.GetUtcNow();
        var registrations = scope is null ? locations.Count : await CountRegistrationsAsync(directory, locations, scope, now, http.RequestAborted);
        var node = caller.IsSystemAdmin ? NodeFigures(calls, locations, services) : null;
        return Results.Ok(new OverviewReply(scope, calls.LiveCalls(scope).Count, registrations, node));
    }

    private static async Task<int> CountRegistrationsAsync(IDirectoryStore directory, LocationService locations, string domain, DateTimeOffset now, CancellationToken ct)
    {
        var count = 0;
        foreach (var extension in await directory.ListExtensionsAsync(domain, ct))
        {
            count += locations.Lookup(extension.Id, now).Count;
        }

        return count;
    }

    private static NodeFiguresReply NodeFigures(CallEngine calls, LocationService locations, IServiceProvider services)
    {
        var setup = services.GetService(typeof(MediaSetupStats)) as MediaSetupStats;
        var answer = setup?.Phases.All.FirstOrDefault(p => p.Side == "pbx" && p.Name == "answered").Samples;
        var failures = services.GetService(typeof(AuthFailureCounters)) as AuthFailureCounters;
        var throttle = services.GetService(typeof(LoginThrottle)) as LoginThrottle;
        var policy = services.GetService(typeof(PolicyCounters)) as PolicyCounters;
        return new NodeFiguresReply(calls.ActiveCalls, calls.CallsStarted, calls.CallsInLastMinute,
            Round(setup?.Quantile(0.5)), Round(setup?.Quantile(0.95)), Round(answer?.Quantile(0.5)), Round(answer?.Quantile(0.95)),
            locations.Count, failures?.Total ?? 0, throttle?.LockoutsStarted ?? 0, policy?.TotalDenied ?? 0);
    }

    private static double? Round(double? ms) => ms is { } value ? Math.Round(value, 1) : null;
}

/// <param name="Domain">The domain counted; null for every domain.</param>
/// <param name="Node">This node's figures across domains: for a system admin only, else null.</param>
public sealed record OverviewReply(string? Domain, int CallsUp, int Registrations, NodeFiguresReply? Node);

/// <summary>
/// This node since its start. Set-up is a browser call's offer to its first SRTP packet out, answer its offer to answer
/// (both over the most recent 1024 calls, in milliseconds; null before the first); the counts are those of /metrics.
/// </summary>
public sealed record NodeFiguresReply(
    int CallsUp,
    long CallsStarted,
    int CallsLastMinute,
    double? SetupP50Ms,
    double? SetupP95Ms,
    double? AnswerP50Ms,
    double? AnswerP95Ms,
    int Registrations,
    long AuthFailures,
    long Lockouts,
    long PolicyDenials);
