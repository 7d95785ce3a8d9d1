using Microsoft.AspNetCore.Http;
using Switchboard.Web.Pages;

namespace Switchboard.Web.Hosting;

/// <summary>Headers every response carries: the popup may not be framed, and runs only our own scripts.</summary>
internal static class SecurityHeaders
{
    public const string PopupPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; media-src 'self' blob:; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static Task ApplyAsync(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = context.Request.Path == "/" ? DemoPage.ContentSecurityPolicy : PopupPolicy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Permissions-Policy"] = "microphone=(self), camera=()";
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            headers.CacheControl = "no-store";
        }

        return next();
    }
}
