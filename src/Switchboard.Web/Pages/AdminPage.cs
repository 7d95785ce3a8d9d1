using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Web.Hosting;

namespace Switchboard.Web.Pages;

/// <summary>
/// <c>GET /admin</c>: the portal's static page (wwwroot/admin/admin.htm). It holds no data: everything comes from the
/// admin API once logged in, so the page itself needs no session.
/// </summary>
internal static class AdminPage
{
    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/admin", (WebOptions options) =>
        Results.File(Path.Combine(options.WebRoot, "admin", "admin.htm"), "text/html; charset=utf-8"));
}
