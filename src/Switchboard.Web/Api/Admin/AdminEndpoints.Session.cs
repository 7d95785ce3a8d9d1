using Microsoft.AspNetCore.Http;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;

namespace Switchboard.Web.Api.Admin;

/// <summary><c>GET /api/admin/session</c>: who is logged in, the CSRF token for changes, what the page may offer.</summary>
internal static partial class AdminEndpoints
{
    private static async Task<IResult> GetSessionAsync(HttpContext http, CsrfTokens csrf, IDirectoryStore directory, SecurityOptions security)
    {
        var caller = AdminGate.Caller(http);
        IReadOnlyList<string> domains = caller.IsSystemAdmin
            ? [.. (await directory.ListDomainsAsync(http.RequestAborted)).Select(d => d.Name)]
            : [caller.Extension.Domain];
        return Results.Ok(new AdminSessionReply(caller.Extension.Account, caller.Extension.Domain, caller.Extension.Role.ToCode(),
            csrf.Issue(caller.SessionToken), domains, (long)security.MaxLinkDuration.TotalSeconds));
    }
}
