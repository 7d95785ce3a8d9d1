using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Transport;

namespace Switchboard.Web.Api.Admin;

/// <summary>What is up now: live calls (with the hang-up) and registrations, read from this node's memory.</summary>
internal static partial class AdminEndpoints
{
    private static IResult ListLiveCalls(HttpContext http, CallEngine calls, TimeProvider time, string? domain)
    {
        if (!AdminGate.Caller(http).TryScope(domain, out var scope))
        {
            return OtherDomain();
        }

        var now = time.GetUtcNow();
        return Results.Ok(new LiveCallListReply([.. calls.LiveCalls(scope).Select(c => LiveCallReply.Of(c, now))]));
    }

    /// <summary>Only a call of the admin's domain (any, for a system admin); the call ends as admin_hangup, by the PBX.</summary>
    private static IResult HangUp(HttpContext http, string callId, CallEngine calls, ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        if (!calls.HangUpByAdmin(callId, caller.IsSystemAdmin ? null : caller.Extension.Domain))
        {
            return Results.NotFound(new ErrorReply("no_such_call"));
        }

        LogHangUp(log, caller.Extension.Account, callId);
        return Results.Accepted();
    }

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
