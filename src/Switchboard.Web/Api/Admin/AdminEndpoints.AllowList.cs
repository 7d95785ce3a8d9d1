using Microsoft.AspNetCore.Http;
using Switchboard.Pbx.Policy;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// The click-to-call allow-list (docs/dialplan.md): the external numbers the popup and signed links may dial. The
/// policy store is read on every call, so a change counts for the next call.
/// </summary>
internal static partial class AdminEndpoints
{
    private static async Task<IResult> ListAllowListAsync(HttpContext http, IPolicyStore policy, string? domain)
    {
        if (!AdminGate.Caller(http).TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        var patterns = await policy.ListAllowListAsync(scoped, http.RequestAborted);
        return Results.Ok(new AllowListReply(scoped, [.. patterns.Select(p => p.ToString())]));
    }

    private static async Task<IResult> AddAllowListAsync(HttpContext http, AllowListBody? body, IPolicyStore policy)
    {
        if (body is null || !DialPattern.TryParse(body.Pattern, out var pattern, out _))
        {
            return BadField("pattern");
        }

        if (!AdminGate.Caller(http).TryDomain(body.Domain, out var scoped))
        {
            return OtherDomain();
        }

        var added = await policy.AddAllowListAsync(scoped, pattern, http.RequestAborted);
        return added ? Results.Json(new { pattern = pattern.ToString() }, statusCode: StatusCodes.Status201Created) : Results.Ok(new { pattern = pattern.ToString() });
    }

    private static async Task<IResult> RemoveAllowListAsync(HttpContext http, string domain, string pattern, IPolicyStore policy)
    {
        if (!AdminGate.Caller(http).TryDomain(domain, out var scoped))
        {
            return OtherDomain();
        }

        return await policy.RemoveAllowListAsync(scoped, pattern, http.RequestAborted) ? Results.NoContent() : Results.NotFound(new ErrorReply("no_such_pattern"));
    }
}

public sealed record AllowListReply(string Domain, IReadOnlyList<string> Patterns);

public sealed record AllowListBody(string? Domain, string? Pattern);
