using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pbx.Tokens;
using Switchboard.Web.Pages;

namespace Switchboard.Web.Hosting;

/// <summary>
/// Headers every response carries: the popup may not be framed, and runs only our own scripts. The one exception is
/// makecall.htm in the widget's embedded mode (<c>embed=1</c> with a call token): the origins its domain allows may
/// frame it (docs/widget.md).
/// </summary>
internal static class SecurityHeaders
{
    public const string PopupPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; media-src 'self' blob:; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static async Task ApplyAsync(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        var embedders = await EmbeddersAsync(context);
        // A page served with its script and stylesheet inside it allows exactly those, by hash (InlinedPage).
        var policy = context.RequestServices.GetService<InlinedPages>()?.Find(context.Request.Path.Value) is { } page ? page.PolicyFor(PopupPolicy) : PopupPolicy;
        headers.ContentSecurityPolicy = context.Request.Path == "/" ? DemoPage.ContentSecurityPolicy
            : embedders.Count > 0 ? policy.Replace("frame-ancestors 'none'", "frame-ancestors " + string.Join(' ', embedders), StringComparison.Ordinal)
            : policy;

        // X-Frame-Options cannot name another origin; CSP frame-ancestors supersedes it where both are sent (CSP 3, section 6.4.2),
        // but a framable page sends none, so that no browser falls back to DENY.
        if (embedders.Count == 0)
        {
            headers.XFrameOptions = "DENY";
        }

        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Permissions-Policy"] = "microphone=(self), camera=()";
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            headers.CacheControl = "no-store";
        }

        await next();
    }

    /// <summary>The origins that may frame this response: only makecall.htm asked for with <c>embed=1</c> and a known token, whose domain allows them.</summary>
    private static async Task<IReadOnlyList<string>> EmbeddersAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path != "/makecall.htm" || request.Query["embed"] != "1" || request.Query["token"].ToString() is not { Length: > 0 } token)
        {
            return [];
        }

        var tokens = context.RequestServices.GetRequiredService<CallTokenService>();
        if (await tokens.DomainOfAsync(token, context.RequestAborted) is not { } domain)
        {
            return [];
        }

        return await context.RequestServices.GetRequiredService<IWebOriginStore>().ListOriginsAsync(domain, context.RequestAborted);
    }
}
