using Microsoft.AspNetCore.Http;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Links;
using Switchboard.Pbx.Security;

namespace Switchboard.Web.Api.Admin;

/// <summary>
/// The click-to-call link generator: a signed makecall.htm link (spec 1, "Pre-signed links") for an extension of the
/// admin's domain, valid from now for at most the PBX's cap, on the address the admin reached the portal by.
/// </summary>
internal static partial class AdminEndpoints
{
    private static async Task<IResult> MakeLinkAsync(HttpContext http, LinkBodyForAdmin? body, SignedLinkMaker links, SecurityOptions security,
        TimeProvider time)
    {
        var caller = AdminGate.Caller(http);
        if (body is null)
        {
            return BadField("body");
        }

        var at = body.Account?.IndexOf('@', StringComparison.Ordinal) ?? -1;
        if (at < 1)
        {
            return BadField("account");
        }

        if (!caller.TryDomain(body.Account![(at + 1)..], out var domain))
        {
            return OtherDomain();
        }

        if (!Names.IsDialString(body.Destination))
        {
            return BadField("destination");
        }

        // The checker refuses a link that claims more than the cap (link_duration_too_long): never make one.
        var duration = body.DurationSeconds ?? 3600;
        if (duration < 1 || duration > security.MaxLinkDuration.TotalSeconds)
        {
            return BadField("durationSeconds");
        }

        if (body.Lang is { Length: > 0 } lang && (lang.Length > 8 || !lang.All(char.IsAsciiLetter)))
        {
            return BadField("lang");
        }

        var now = time.GetUtcNow();
        var baseUrl = new Uri($"{http.Request.Scheme}://{http.Request.Host}/");
        try
        {
            var link = await links.MakeAsync(baseUrl, domain, body.Account[..at], body.Destination!, now.ToUnixTimeSeconds(), duration,
                string.IsNullOrEmpty(body.Lang) ? null : body.Lang, http.RequestAborted);
            var label = string.IsNullOrWhiteSpace(body.Label) ? "Call " + body.Destination : body.Label.Trim();
            return Results.Ok(new AdminLinkReply(link.AbsoluteUri, SignedLinkBuilder.Snippet(link, label), now.AddSeconds(duration)));
        }
        catch (DirectoryConflictException)
        {
            return Results.NotFound(new ErrorReply("no_such_extension"));
        }
    }
}
