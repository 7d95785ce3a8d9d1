using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// Toll-fraud limits of a domain and of its extensions (docs/dialplan.md, "Limits"): concurrent trunk calls and trunk
/// calls per minute. The CLI's check (<see cref="PolicyInput.TryParseLimit"/>) and store; the call policy reads them
/// on every trunk call, so a change counts for the next one.
/// </summary>
internal static partial class AdminEndpoints
{
    private static async Task<IResult> ListLimitsAsync(HttpContext http, IPolicyStore policy, IDirectoryStore directory, string? domain)
    {
        if (!AdminGate.Caller(http).TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        var ct = http.RequestAborted;
        var domainLimits = await policy.GetLimitsAsync(scoped, null, ct);
        var own = await policy.ListExtensionLimitsAsync(scoped, ct);
        var extensions = await directory.ListExtensionsAsync(scoped, ct);
        return Results.Ok(new LimitListReply(scoped, LimitReply.Of(null, domainLimits, CallLimits.None), LimitReply.Of(null, CallLimits.ExtensionDefault, CallLimits.ExtensionDefault),
            [.. extensions.Select(e => LimitReply.Of(e, own.GetValueOrDefault(e.Number), CallLimits.ExtensionDefault))]));
    }

    private static Task<IResult> SetDomainLimitsAsync(HttpContext http, string domain, LimitBody? body, IPolicyStore policy, IDirectoryStore directory,
        ILogger<AdminCaller> log) => SetLimitsAsync(http, domain, null, body, policy, directory, log);

    private static async Task<IResult> SetLimitsAsync(HttpContext http, string domain, string? number, LimitBody? body, IPolicyStore policy,
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

        Extension? extension = null;
        if (number is not null && (extension = await directory.FindExtensionAsync(scoped, number, http.RequestAborted)) is null)
        {
            return Results.NotFound(new ErrorReply("no_such_extension"));
        }

        var fallback = number is null ? CallLimits.None : CallLimits.ExtensionDefault;
        var current = await policy.GetLimitsAsync(scoped, number, http.RequestAborted) ?? fallback;
        if (!TryLimit("--concurrent", body.Concurrent, current.Concurrent, out var concurrent, out var error) ||
            !TryLimit("--per-minute", body.PerMinute, current.PerMinute, out var perMinute, out error))
        {
            return BadInput(error);
        }

        var next = new CallLimits(concurrent, perMinute);
        try
        {
            await policy.SetLimitsAsync(scoped, number, next, http.RequestAborted);
        }
        catch (DirectoryConflictException)
        {
            return NoSuchOwner(number);
        }

        LogLimits(log, caller.Extension.Account, scoped, number, next.Concurrent, next.PerMinute);
        return Results.Ok(LimitReply.Of(extension, next, fallback));
    }

    private static Task<IResult> ResetDomainLimitsAsync(HttpContext http, string domain, IPolicyStore policy, IDirectoryStore directory,
        ILogger<AdminCaller> log) => ResetLimitsAsync(http, domain, null, policy, directory, log);

    private static async Task<IResult> ResetLimitsAsync(HttpContext http, string domain, string? number, IPolicyStore policy, IDirectoryStore directory,
        ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        if (!caller.TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        if (number is not null && await directory.FindExtensionAsync(scoped, number, http.RequestAborted) is null)
        {
            return Results.NotFound(new ErrorReply("no_such_extension"));
        }

        await policy.ResetLimitsAsync(scoped, number, http.RequestAborted);
        LogLimitsReset(log, caller.Extension.Account, scoped, number);
        return Results.NoContent();
    }

    /// <summary>
    /// A limit as the JSON has it: absent keeps <paramref name="current"/>; null, a count or "none" go through the CLI's
    /// parser as the CLI's text would (null is "none"), so both refuse the same values.
    /// </summary>
    private static bool TryLimit(string field, JsonElement value, int? current, out int? limit, out string error)
    {
        limit = current;
        error = "";
        return value.ValueKind switch
        {
            JsonValueKind.Undefined => true,
            JsonValueKind.Null => PolicyInput.TryParseLimit(field, "none", out limit, out error),
            JsonValueKind.String => PolicyInput.TryParseLimit(field, value.GetString()!, out limit, out error),
            _ => PolicyInput.TryParseLimit(field, value.GetRawText(), out limit, out error),
        };
    }

    [LoggerMessage(EventId = 3065, Level = LogLevel.Information,
        Message = "Admin {Admin} limited {Domain} (extension {Extension}) to {Concurrent} calls at once and {PerMinute} a minute (empty: no limit)")]
    private static partial void LogLimits(ILogger logger, string admin, string domain, string? extension, int? concurrent, int? perMinute);

    [LoggerMessage(EventId = 3066, Level = LogLevel.Information, Message = "Admin {Admin} put the limits of {Domain} (extension {Extension}) back to the default")]
    private static partial void LogLimitsReset(ILogger logger, string admin, string domain, string? extension);
}

/// <param name="Account">The extension; null for the domain's own limits.</param>
/// <param name="Concurrent">Trunk calls at the same time; null is no limit.</param>
/// <param name="PerMinute">Trunk calls started in any 60 s; null is no limit.</param>
/// <param name="IsDefault">Nothing set: the default applies (for an extension 2 and 10, for a domain none).</param>
public sealed record LimitReply(string? Account, string? Number, int? Concurrent, int? PerMinute, bool IsDefault)
{
    public static LimitReply Of(Extension? e, CallLimits? own, CallLimits fallback)
    {
        var limits = own ?? fallback;
        return new(e?.Account, e?.Number, limits.Concurrent, limits.PerMinute, own is null);
    }
}

public sealed record LimitListReply(string Domain, LimitReply DomainLimits, LimitReply ExtensionDefault, IReadOnlyList<LimitReply> Extensions);

/// <param name="Concurrent">A count, null or "none" (no limit); absent keeps the value, as the CLI's options do.</param>
public sealed record LimitBody(JsonElement Concurrent, JsonElement PerMinute);
