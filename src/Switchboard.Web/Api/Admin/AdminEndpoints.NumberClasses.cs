using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// A domain's number plan (docs/dialplan.md, "Number classes"): the patterns that make a number emergency, premium,
/// toll-free or international. The CLI's checks (<see cref="PolicyInput"/>) and store, read by the next call.
/// </summary>
internal static partial class AdminEndpoints
{
    private static async Task<IResult> ListNumberClassesAsync(HttpContext http, IPolicyStore policy, string? domain)
    {
        if (!AdminGate.Caller(http).TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        var plan = await policy.GetNumberPlanAsync(scoped, http.RequestAborted);
        return Results.Ok(new NumberClassListReply(scoped, [.. NumberPlan.Configurable.Select(c => NumberClassReply.Of(plan, c))]));
    }

    private static async Task<IResult> SetNumberClassAsync(HttpContext http, string domain, string numberClass, NumberClassBody? body, IPolicyStore policy,
        ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        if (body?.Patterns is null)
        {
            return BadField("patterns");
        }

        if (!caller.TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        // The CLI's comma-separated text, so one parser decides for both.
        if (!PolicyInput.TryParseConfigurableClass(numberClass, out var parsedClass, out var error) ||
            !PolicyInput.TryParsePatterns(string.Join(',', body.Patterns), out var patterns, out error))
        {
            return BadInput(error);
        }

        return await SaveNumberClassAsync(http, caller, scoped, parsedClass, patterns, policy, log);
    }

    /// <summary>Back to the built-in patterns for the class (the CLI's <c>numberclass set</c> with an empty list).</summary>
    private static async Task<IResult> ResetNumberClassAsync(HttpContext http, string domain, string numberClass, IPolicyStore policy, ILogger<AdminCaller> log)
    {
        var caller = AdminGate.Caller(http);
        if (!caller.TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        if (!PolicyInput.TryParseConfigurableClass(numberClass, out var parsedClass, out var error))
        {
            return BadInput(error);
        }

        var saved = await SaveNumberClassAsync(http, caller, scoped, parsedClass, [], policy, log);
        return saved is IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK } ? Results.NoContent() : saved;
    }

    private static async Task<IResult> SaveNumberClassAsync(HttpContext http, AdminCaller caller, string domain, NumberClass numberClass,
        IReadOnlyList<DialPattern> patterns, IPolicyStore policy, ILogger<AdminCaller> log)
    {
        try
        {
            await policy.SetNumberClassPatternsAsync(domain, numberClass, patterns, http.RequestAborted);
        }
        catch (DirectoryConflictException)
        {
            return Results.NotFound(new ErrorReply("no_such_domain"));
        }

        LogNumberClass(log, caller.Extension.Account, numberClass, domain, patterns);
        return Results.Ok(NumberClassReply.Of(await policy.GetNumberPlanAsync(domain, http.RequestAborted), numberClass));
    }

    [LoggerMessage(EventId = 3067, Level = LogLevel.Information, Message = "Admin {Admin} set the {Class} patterns of {Domain} to {Patterns} (empty: the default)")]
    private static partial void LogNumberClass(ILogger logger, string admin, NumberClass @class, string domain, IReadOnlyList<DialPattern> patterns);
}

/// <param name="IsDefault">The domain's patterns are the built-in ones (not set, or set to the same).</param>
public sealed record NumberClassReply(string Class, IReadOnlyList<string> Patterns, IReadOnlyList<string> DefaultPatterns, bool IsDefault)
{
    public static NumberClassReply Of(NumberPlan plan, NumberClass numberClass)
    {
        string[] own = [.. plan.PatternsOf(numberClass).Select(p => p.Text)];
        string[] builtIn = [.. NumberPlan.Default.PatternsOf(numberClass).Select(p => p.Text)];
        return new(NumberClasses.Name(numberClass), own, builtIn, own.SequenceEqual(builtIn, StringComparer.Ordinal));
    }
}

public sealed record NumberClassListReply(string Domain, IReadOnlyList<NumberClassReply> Classes);

/// <param name="Patterns">The class's patterns, in order; an empty list restores the default.</param>
public sealed record NumberClassBody(IReadOnlyList<string>? Patterns);
