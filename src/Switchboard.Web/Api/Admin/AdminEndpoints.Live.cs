using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Transport;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// What is up now: live calls (with the hang-up) and registrations, read from this node's memory; with Redis, the live
/// calls of every node, each from its last shared picture (docs/scale-out.md, "Live calls across nodes").
/// </summary>
internal static partial class AdminEndpoints
{
    private static async Task<IResult> ListLiveCallsAsync(HttpContext http, CallEngine calls, TimeProvider time, IServiceProvider services, string? domain)
    {
        if (!AdminGate.Caller(http).TryScope(domain, out var scope))
        {
            return OtherDomain();
        }

        var now = time.GetUtcNow();
        var shared = services.GetService(typeof(ISharedLiveCalls)) as ISharedLiveCalls;
        var list = calls.LiveCalls(scope).Select(c => LiveCallReply.Of(c, now, shared?.Node)).ToList();
        if (shared is not null)
        {
            list.AddRange((await shared.LoadOthersAsync(http.RequestAborted))
                .Where(o => InScope(o.Call, scope))
                .Select(o => LiveCallReply.Of(o.Call, now, o.Node)));
            list.Sort(static (a, b) => a.StartedAt.CompareTo(b.StartedAt));
        }

        return Results.Ok(new LiveCallListReply(list));
    }

    /// <summary>
    /// Only a call of the admin's domain (any, for a system admin); the call ends as admin_hangup, by the PBX. A call held
    /// by another node is checked against that node's shared picture and the request sent to it (202: it ends there).
    /// </summary>
    private static async Task<IResult> HangUpAsync(HttpContext http, string callId, CallEngine calls, IServiceProvider services, ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        var scope = caller.IsSystemAdmin ? null : caller.Extension.Domain;
        if (!calls.HangUpByAdmin(callId, scope))
        {
            var shared = services.GetService(typeof(ISharedLiveCalls)) as ISharedLiveCalls;
            var elsewhere = shared is null ? null : (await shared.LoadOthersAsync(http.RequestAborted))
                .FirstOrDefault(o => o.Call.CallId == callId && InScope(o.Call, scope));
            if (elsewhere is null)
            {
                return Results.NotFound(new ErrorReply("no_such_call"));
            }

            shared!.RequestHangUp(elsewhere.Node, callId);
        }

        LogHangUp(log, caller.Extension.Account, callId);
        return Results.Accepted();
    }

    private static bool InScope(LiveCall call, string? scope) =>
        scope is null || string.Equals(call.Domain, scope, StringComparison.OrdinalIgnoreCase);

    private static async Task<IResult> ListRegistrationsAsync(HttpContext http, IDirectoryStore directory, LocationService locations, TimeProvider time,
        string? domain)
    {
        if (!AdminGate.Caller(http).TryScope(domain, out var scope))
        {
            return OtherDomain();
        }

        var now = time.GetUtcNow();
        var list = new List<RegistrationReply>();
        foreach (var extension in await directory.ListExtensionsAsync(scope, http.RequestAborted))
        {
            foreach (var b in locations.Lookup(extension.Id, now))
            {
                list.Add(new RegistrationReply(extension.Account, b.Contact.ToString(), b.Flow.Transport.UriParameter(), b.Flow.Remote.ToString(),
                    b.UserAgent, b.ExpiresAt, b.SecondsLeft(now)));
            }
        }

        return Results.Ok(new RegistrationListReply(list));
    }

    [LoggerMessage(EventId = 3045, Level = LogLevel.Information, Message = "Admin {Admin} hung up call {CallId}")]
    private static partial void LogHangUp(ILogger logger, string admin, string callId);
}
