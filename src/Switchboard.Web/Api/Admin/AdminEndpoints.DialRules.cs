using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// Dial rules (docs/dialplan.md): a domain's ordered list, or one extension's own. The CLI's checks
/// (<see cref="DialRule.TryCreate"/>, <see cref="PolicyInput"/>) and store; the call policy reads the store on every
/// call, so a change counts for the next call without a restart.
/// </summary>
internal static partial class AdminEndpoints
{
    private static async Task<IResult> ListDialRulesAsync(HttpContext http, IPolicyStore policy, string? domain, string? extension)
    {
        if (!AdminGate.Caller(http).TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        var owner = Blank(extension);
        var rules = await policy.ListDialRulesAsync(scoped, owner, http.RequestAborted);
        return Results.Ok(new DialRuleListReply(scoped, owner, [.. rules.Select(DialRuleReply.Of)]));
    }

    private static async Task<IResult> AddDialRuleAsync(HttpContext http, DialRuleBody? body, IPolicyStore policy, ILogger<AdminCaller> log)
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

        if (!DialRule.TryCreate(body.Pattern, body.Trunk, body.Strip ?? 0, body.Prefix, out var rule, out var error))
        {
            return BadInput(error);
        }

        if (PolicyInput.CheckPosition(body.Position) is { } badPosition)
        {
            return BadInput(badPosition);
        }

        try
        {
            var added = await policy.AddDialRuleAsync(domain, Blank(body.Extension), body.Position, rule, http.RequestAborted);
            LogRule(log, caller.Extension.Account, "added", added.Id, added.Domain, added.Extension);
            return Results.Json(DialRuleReply.Of(added), statusCode: StatusCodes.Status201Created);
        }
        catch (DirectoryConflictException)
        {
            return NoSuchOwner(body.Extension);
        }
    }

    private static async Task<IResult> ChangeDialRuleAsync(HttpContext http, string domain, long id, DialRuleBody? body, IPolicyStore policy,
        ILogger<AdminCaller> log)
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

        if (!DialRule.TryCreate(body.Pattern, body.Trunk, body.Strip ?? 0, body.Prefix, out var rule, out var error))
        {
            return BadInput(error);
        }

        // The id alone would reach any domain's rule: it must be one of the domain the caller may change.
        if (await policy.FindDialRuleAsync(id, http.RequestAborted) is not { } found || found.Domain != scoped ||
            await policy.ChangeDialRuleAsync(id, rule, http.RequestAborted) is not { } changed)
        {
            return Results.NotFound(new ErrorReply("no_such_rule"));
        }

        LogRule(log, caller.Extension.Account, "changed", changed.Id, changed.Domain, changed.Extension);
        return Results.Ok(DialRuleReply.Of(changed));
    }

    private static async Task<IResult> RemoveDialRuleAsync(HttpContext http, string domain, long id, IPolicyStore policy, ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        if (!caller.TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        if (await policy.FindDialRuleAsync(id, http.RequestAborted) is not { } found || found.Domain != scoped ||
            !await policy.RemoveDialRuleAsync(id, http.RequestAborted))
        {
            return Results.NotFound(new ErrorReply("no_such_rule"));
        }

        LogRule(log, caller.Extension.Account, "removed", found.Id, found.Domain, found.Extension);
        return Results.NoContent();
    }

    /// <summary>A check of <see cref="PolicyInput"/> or <see cref="Pbx.Trunks.TrunkValidation"/> failed: its message starts with the CLI's option, "--pattern: ...".</summary>
    private static IResult BadInput(string problem) =>
        Results.BadRequest(new { error = "bad_field", field = problem.Split(':')[0].TrimStart('-'), detail = problem });

    private static IResult NoSuchOwner(string? extension) =>
        Results.NotFound(new ErrorReply(string.IsNullOrWhiteSpace(extension) ? "no_such_domain" : "no_such_extension"));

    [LoggerMessage(EventId = 3061, Level = LogLevel.Information, Message = "Admin {Admin} {What} dial rule {Id} of {Domain} (extension {Extension})")]
    private static partial void LogRule(ILogger logger, string admin, string what, long id, string domain, string? extension);
}

/// <param name="Extension">The extension whose own rule it is; null for the domain's list.</param>
public sealed record DialRuleReply(long Id, string Domain, string? Extension, int Position, string Pattern, string Trunk, int Strip, string Prefix)
{
    public static DialRuleReply Of(DialRuleEntry e) =>
        new(e.Id, e.Domain, e.Extension, e.Position, e.Rule.Pattern.Text, e.Rule.Trunk, e.Rule.Strip, e.Rule.Prefix);
}

public sealed record DialRuleListReply(string Domain, string? Extension, IReadOnlyList<DialRuleReply> Rules);

/// <param name="Extension">An extension number of the domain for its own rules; absent for the domain's.</param>
/// <param name="Position">Where to add the rule, 1 = first; absent = last. Ignored by a change, which keeps the rule's place.</param>
public sealed record DialRuleBody(string? Domain, string? Extension, string? Pattern, string? Trunk, int? Strip, string? Prefix, int? Position);
