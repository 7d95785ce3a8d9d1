using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// Extensions: list, add, rename, passwords, role, delete. The same directory calls as the CLI's <c>extension</c> verbs,
/// through the PBX's cached directory, so a change counts for the next call and the next REGISTER without a restart.
/// </summary>
internal static partial class AdminEndpoints
{
    private static async Task<IResult> ListExtensionsAsync(HttpContext http, IDirectoryStore directory, string? domain)
    {
        if (!AdminGate.Caller(http).TryScope(domain, out var scope))
        {
            return OtherDomain();
        }

        var list = await directory.ListExtensionsAsync(scope, http.RequestAborted);
        return Results.Ok(new ExtensionListReply([.. list.Select(ExtensionReply.Of)]));
    }

    private static async Task<IResult> AddExtensionAsync(HttpContext http, NewExtensionBody? body, IDirectoryStore directory, ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        if (body is null)
        {
            return BadField("body");
        }

        if (!caller.TryDomain(body.Domain, out var domain))
        {
            return OtherDomain();
        }

        var role = ExtensionRole.User;
        if (body.Role is not null && !ExtensionRoles.TryParse(body.Role, out role))
        {
            return BadField("role");
        }

        if (role == ExtensionRole.SystemAdmin && !caller.IsSystemAdmin)
        {
            return Results.Json(new ErrorReply("not_system_admin"), statusCode: StatusCodes.Status403Forbidden);
        }

        // Left empty, a password is made here and shown once, as the CLI's "extension add" does.
        var web = string.IsNullOrEmpty(body.WebPassword) ? Passwords.NewRandom(12) : body.WebPassword;
        var sip = string.IsNullOrEmpty(body.SipPassword) ? Passwords.NewRandom(16) : body.SipPassword;
        if (!Names.IsExtensionNumber(body.Number))
        {
            return BadField("number");
        }

        var name = string.IsNullOrWhiteSpace(body.DisplayName) ? body.Number! : body.DisplayName.Trim();
        if (!Names.IsDisplayName(name))
        {
            return BadField("displayName");
        }

        if (!Passwords.IsAcceptable(web) || !Passwords.IsAcceptable(sip))
        {
            return BadField(Passwords.IsAcceptable(web) ? "sipPassword" : "webPassword");
        }

        Extension created;
        try
        {
            created = await directory.CreateExtensionAsync(new NewExtension(domain, body.Number!, name, web, sip), http.RequestAborted);
            if (role != ExtensionRole.User)
            {
                await directory.SetRoleAsync(domain, created.Number, role, http.RequestAborted);
                created = created with { Role = role };
            }
        }
        catch (DirectoryConflictException)
        {
            return Results.Conflict(new ErrorReply("exists"));
        }

        LogChanged(log, caller.Extension.Account, "added", created.Account);
        return Results.Json(new
        {
            extension = ExtensionReply.Of(created),
            webPassword = string.IsNullOrEmpty(body.WebPassword) ? web : null,
            sipPassword = string.IsNullOrEmpty(body.SipPassword) ? sip : null,
        }, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ChangeExtensionAsync(HttpContext http, string domain, string number, ExtensionChangeBody? body,
        IDirectoryStore directory, ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        if (body is null)
        {
            return BadField("body");
        }

        if (!caller.TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        if (await directory.FindExtensionAsync(scoped, number, http.RequestAborted) is not { } target)
        {
            return Results.NotFound(new ErrorReply("no_such_extension"));
        }

        ExtensionRole role = target.Role;
        if (body.Role is not null && !ExtensionRoles.TryParse(body.Role, out role))
        {
            return BadField("role");
        }

        // A domain admin who could set a system admin's password could log in as one: nothing of a system admin is theirs to change.
        if ((role == ExtensionRole.SystemAdmin || target.Role == ExtensionRole.SystemAdmin) && !caller.IsSystemAdmin)
        {
            return Results.Json(new ErrorReply("not_system_admin"), statusCode: StatusCodes.Status403Forbidden);
        }

        if (role != target.Role && target.Id == caller.Extension.Id)
        {
            // An administrator who demotes itself locks itself out of this very page.
            return Results.Conflict(new ErrorReply("own_account"));
        }

        if (body.DisplayName is not null && !Names.IsDisplayName(body.DisplayName.Trim()))
        {
            return BadField("displayName");
        }

        if ((body.WebPassword is not null && !Passwords.IsAcceptable(body.WebPassword)) || (body.SipPassword is not null && !Passwords.IsAcceptable(body.SipPassword)))
        {
            return BadField(body.WebPassword is not null && !Passwords.IsAcceptable(body.WebPassword) ? "webPassword" : "sipPassword");
        }

        var ct = http.RequestAborted;
        if (body.DisplayName is not null)
        {
            await directory.RenameExtensionAsync(scoped, number, body.DisplayName.Trim(), ct);
        }

        if (body.WebPassword is not null)
        {
            await directory.SetWebPasswordAsync(scoped, number, body.WebPassword, ct);
        }

        if (body.SipPassword is not null)
        {
            await directory.SetSipPasswordAsync(scoped, number, body.SipPassword, ct);
        }

        if (role != target.Role)
        {
            await directory.SetRoleAsync(scoped, number, role, ct);
        }

        LogChanged(log, caller.Extension.Account, "changed", target.Account);
        return await directory.FindExtensionAsync(scoped, number, ct) is { } changed
            ? Results.Ok(ExtensionReply.Of(changed))
            : Results.NotFound(new ErrorReply("no_such_extension"));
    }

    private static async Task<IResult> DeleteExtensionAsync(HttpContext http, string domain, string number, IDirectoryStore directory, ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        if (!caller.TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        if (string.Equals(scoped, caller.Extension.Domain, StringComparison.OrdinalIgnoreCase) && number == caller.Extension.Number)
        {
            return Results.Conflict(new ErrorReply("own_account"));
        }

        if (await directory.FindExtensionAsync(scoped, number, http.RequestAborted) is { Role: ExtensionRole.SystemAdmin } && !caller.IsSystemAdmin)
        {
            return Results.Json(new ErrorReply("not_system_admin"), statusCode: StatusCodes.Status403Forbidden);
        }

        if (!await directory.DeleteExtensionAsync(scoped, number, http.RequestAborted))
        {
            return Results.NotFound(new ErrorReply("no_such_extension"));
        }

        LogChanged(log, caller.Extension.Account, "deleted", number + "@" + scoped);
        return Results.NoContent();
    }

    private static IResult BadField(string field) => Results.BadRequest(new { error = "bad_field", field });

    [LoggerMessage(EventId = 3044, Level = LogLevel.Information, Message = "Admin {Admin} {What} extension {Account}")]
    private static partial void LogChanged(ILogger logger, string admin, string what, string account);
}
