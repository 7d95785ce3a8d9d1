using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// Permissions: the classes of numbers each extension may dial (docs/dialplan.md). The CLI's check
/// (<see cref="PolicyInput.TryParsePermissions"/>: internal and emergency are always kept) and store, read by the next call.
/// </summary>
internal static partial class AdminEndpoints
{
    private static async Task<IResult> ListPermissionsAsync(HttpContext http, IPolicyStore policy, IDirectoryStore directory, string? domain)
    {
        if (!AdminGate.Caller(http).TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        var own = await policy.ListPermissionsAsync(scoped, http.RequestAborted);
        var extensions = await directory.ListExtensionsAsync(scoped, http.RequestAborted);
        return Results.Ok(new PermissionListReply(scoped, [.. Enum.GetValues<NumberClass>().Select(NumberClasses.Name)], [.. NumberClasses.DefaultAllowed.Order().Select(NumberClasses.Name)],
            [.. extensions.Select(e => PermissionReply.Of(e, own.GetValueOrDefault(e.Number)))]));
    }

    private static async Task<IResult> SetPermissionsAsync(HttpContext http, string domain, string number, PermissionBody? body, IPolicyStore policy,
        IDirectoryStore directory, ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        if (body?.Allow is null)
        {
            return BadField("allow");
        }

        if (!caller.TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        // The CLI's text, so one parser decides for both: a comma inside a name is an unknown class there too.
        if (!PolicyInput.TryParsePermissions(string.Join(',', body.Allow), out var allowed, out var error))
        {
            return BadInput(error);
        }

        if (await directory.FindExtensionAsync(scoped, number, http.RequestAborted) is not { } extension)
        {
            return Results.NotFound(new ErrorReply("no_such_extension"));
        }

        try
        {
            await policy.SetPermissionsAsync(scoped, number, allowed, http.RequestAborted);
        }
        catch (DirectoryConflictException)
        {
            return Results.NotFound(new ErrorReply("no_such_extension"));
        }

        LogPermissions(log, caller.Extension.Account, extension.Account, allowed);
        return Results.Ok(PermissionReply.Of(extension, allowed));
    }

    private static async Task<IResult> ResetPermissionsAsync(HttpContext http, string domain, string number, IPolicyStore policy,
        IDirectoryStore directory, ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        if (!caller.TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        if (await directory.FindExtensionAsync(scoped, number, http.RequestAborted) is not { } extension)
        {
            return Results.NotFound(new ErrorReply("no_such_extension"));
        }

        await policy.ResetPermissionsAsync(scoped, number, http.RequestAborted);
        LogPermissions(log, caller.Extension.Account, extension.Account, NumberClasses.DefaultAllowed);
        return Results.NoContent();
    }

    [LoggerMessage(EventId = 3064, Level = LogLevel.Information, Message = "Admin {Admin} let {Account} dial {Allowed}")]
    private static partial void LogPermissions(ILogger logger, string admin, string account, IEnumerable<NumberClass> allowed);
}

/// <param name="Allowed">The classes the extension may dial now: its own, or the default.</param>
/// <param name="IsDefault">Nothing set for it: <see cref="PermissionListReply.DefaultAllowed"/> applies.</param>
public sealed record PermissionReply(string Account, string Number, IReadOnlyList<string> Allowed, bool IsDefault)
{
    public static PermissionReply Of(Extension e, IReadOnlySet<NumberClass>? own) =>
        new(e.Account, e.Number, [.. (own ?? NumberClasses.DefaultAllowed).Order().Select(NumberClasses.Name)], own is null);
}

/// <param name="Classes">Every class, in the order the page shows them.</param>
public sealed record PermissionListReply(string Domain, IReadOnlyList<string> Classes, IReadOnlyList<string> DefaultAllowed, IReadOnlyList<PermissionReply> Extensions);

/// <param name="Allow">Class names (internal, emergency, tollfree, national, international, premium); internal and emergency are always added.</param>
public sealed record PermissionBody(IReadOnlyList<string>? Allow);
