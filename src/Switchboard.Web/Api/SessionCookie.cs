using Microsoft.AspNetCore.Http;

namespace Switchboard.Web.Api;

/// <summary>The remembered-session cookie (spec 2.4): HttpOnly, SameSite=Lax, Secure on HTTPS.</summary>
internal static class SessionCookie
{
    public const string Name = "sb_session";

    public static string? Read(HttpRequest request) => request.Cookies.TryGetValue(Name, out var value) ? value : null;

    public static void Write(HttpResponse response, string token, TimeSpan lifetime) =>
        response.Cookies.Append(Name, token, Options(response.HttpContext.Request, lifetime));

    public static void Clear(HttpResponse response) =>
        response.Cookies.Delete(Name, Options(response.HttpContext.Request, null));

    private static CookieOptions Options(HttpRequest request, TimeSpan? lifetime) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = request.IsHttps,
        Path = "/",
        MaxAge = lifetime,
        IsEssential = true,
    };
}
