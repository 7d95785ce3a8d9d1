using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Ivr;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// The IVR's menus (docs/ivr.md): what runs now, and a reload of <c>ivr.json</c> without a restart. The file serves
/// every domain of the node, so only a system admin reloads it. A file the loader refuses changes nothing: the menus
/// in use stay and the answer names the bad field.
/// </summary>
internal static partial class AdminEndpoints
{
    private static IResult GetIvr(HttpContext http, IvrRuntime ivr) =>
        AdminGate.Caller(http).IsSystemAdmin ? Results.Ok(IvrReply.Of(ivr)) : NotSystemAdmin();

    private static IResult ReloadIvr(HttpContext http, IvrRuntime ivr, ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        if (!caller.IsSystemAdmin)
        {
            return NotSystemAdmin();
        }

        if (!ivr.TryReload(out var error))
        {
            LogIvrRefused(log, caller.Extension.Account, error ?? "");
            return Results.BadRequest(new { error = "bad_ivr", detail = error });
        }

        LogIvrReloaded(log, caller.Extension.Account, ivr.Configuration.Menus.Count, ivr.Configuration.RingGroups.Count);
        return Results.Ok(IvrReply.Of(ivr));
    }

    private static IResult NotSystemAdmin() => Results.Json(new ErrorReply("not_system_admin"), statusCode: StatusCodes.Status403Forbidden);

    [LoggerMessage(EventId = 3062, Level = LogLevel.Information, Message = "Admin {Admin} reloaded the IVR: {Menus} menus, {Groups} ring groups")]
    private static partial void LogIvrReloaded(ILogger logger, string admin, int menus, int groups);

    [LoggerMessage(EventId = 3063, Level = LogLevel.Warning, Message = "Admin {Admin} reloaded the IVR; the file was refused and the menus in use stay: {Error}")]
    private static partial void LogIvrRefused(ILogger logger, string admin, string error);
}

/// <param name="File">The file read on reload; while it does not exist the built-in demo menu runs.</param>
public sealed record IvrReply(string? File, bool FileExists, IReadOnlyList<IvrMenuReply> Menus, IReadOnlyList<IvrRingGroupReply> RingGroups)
{
    public static IvrReply Of(IvrRuntime ivr) => new(ivr.File, ivr.File is not null && System.IO.File.Exists(ivr.File),
        [.. ivr.Configuration.Menus.Select(m => new IvrMenuReply(m.Name, m.Prompt, m.Options.OrderBy(o => o.Key).ToDictionary(o => o.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), o => o.Value)))],
        [.. ivr.Configuration.RingGroups.Select(g => new IvrRingGroupReply(g.Name, g.Members, g.Fallback))]);
}

public sealed record IvrMenuReply(string Name, string Prompt, IReadOnlyDictionary<string, string> Options);

public sealed record IvrRingGroupReply(string Name, IReadOnlyList<string> Members, string? Fallback);
