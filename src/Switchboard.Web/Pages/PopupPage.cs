using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Links;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Sessions;
using Switchboard.Pbx.Tokens;
using Switchboard.Web.Api;
using Switchboard.Web.Hosting;

namespace Switchboard.Web.Pages;

/// <summary>
/// <c>GET /makecall.htm</c>: the popup, with its script and stylesheet inside it (<see cref="InlinedPage"/>) and
/// what its script would otherwise have asked first: the session state (as <c>GET /api/session</c> answers it),
/// the chosen language's texts, and, for a signed link or a call token opened by a browser's navigation, its verdict
/// and ticket (as <c>POST /api/link</c> or <c>POST /api/token</c> answers it). docs/page.md, "What the page carries".
/// </summary>
internal static class PopupPage
{
    public const string Path = "/makecall.htm";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly string[] LinkParameters = ["user", "pass", "time", "duration"];

    /// <summary>The same per-address request budget as the API the page replaces a request of.</summary>
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet(Path, RenderAsync).RequireRateLimiting(AuthEndpoints.RateLimitPolicy);

    private static async Task RenderAsync(HttpContext http, InlinedPages pages, SessionService sessions, LanguageCatalog languages,
        Authenticator auth, TicketIssuer tickets, CallTokenService callTokens, ILoggerFactory logs)
    {
        var query = http.Request.Query;
        var destnumber = query.TryGetValue("destnumber", out var d) ? d.ToString() : null;
        var lang = query.TryGetValue("lang", out var l) ? l.ToString() : null;
        var list = languages.Languages.Select(x => new LanguageReply(x.Code, x.Name)).ToList();
        PopupState state;
        if (!Names.IsDialString(destnumber))
        {
            AuthEndpoints.LogBadDestination(logs.CreateLogger("Switchboard.Web.Api"), ClientAddress.Of(http),
                destnumber is null ? "(missing)" : Redact.Account(destnumber));
            var chosen = languages.Resolve(lang, null, http.Request.Headers.AcceptLanguage);
            state = new PopupState(false, null, chosen, list, languages.Texts(chosen))
            {
                Error = string.IsNullOrEmpty(destnumber) ? "no_destination" : "bad_destination",
            };
        }
        else
        {
            var session = await sessions.ResolveAsync(SessionCookie.Read(http.Request), http.RequestAborted);
            var chosen = languages.Resolve(lang, session?.Language, http.Request.Headers.AcceptLanguage);
            state = new PopupState(session is not null, session?.Extension.Account, chosen, list, languages.Texts(chosen))
            {
                Link = await CheckLinkAsync(http, destnumber!, auth, tickets),
                Token = await CheckTokenAsync(http, destnumber!, callTokens, tickets, logs),
            };
        }

        // It may carry a ticket, and it depends on the cookie: never stored, by the browser or on the way.
        http.Response.Headers.CacheControl = "no-store";
        await pages.Get(Path).WriteAsync(http.Response, JsonSerializer.Serialize(state, Json));
    }

    /// <summary>
    /// A signed link is checked here only when a browser navigates to it (<c>Sec-Fetch-Mode: navigate</c>, Fetch
    /// Metadata): a link preview or crawler that fetches the URL gets the page without a verdict, as before, and
    /// nothing is counted against the account. The page then asks <c>POST /api/link</c> itself.
    /// </summary>
    private static async Task<LinkState?> CheckLinkAsync(HttpContext http, string destnumber, Authenticator auth, TicketIssuer tickets)
    {
        var query = http.Request.Query;
        if (!LinkParameters.Any(query.ContainsKey) || query.ContainsKey("token") || !IsNavigation(http))
        {
            return null;
        }

        var link = new SignedLinkRequest(destnumber, query["user"].ToString(), query["pass"].ToString(), query["time"].ToString(), query["duration"].ToString());
        var outcome = await auth.CheckLinkAsync(link, ClientAddress.Of(http), http.RequestAborted);
        if (!outcome.Succeeded)
        {
            var refusal = AuthEndpoints.RefusalReply(outcome);
            return new LinkState(null, null, refusal.Error, refusal.RetryAfter);
        }

        var extension = outcome.Extension!;
        return new LinkState(extension.Account, await tickets.IssueAsync(extension, destnumber, origin: "link", ct: http.RequestAborted), null, null);
    }

    /// <summary>
    /// A call token is checked here on the same terms as a signed link (a browser's navigation only, so a preview or
    /// crawler spends nothing and the page asks <c>POST /api/token</c> itself). Checking does not use the token; its
    /// call does, so a prefetch or a reload before the call leaves it valid.
    /// </summary>
    private static async Task<TokenState?> CheckTokenAsync(HttpContext http, string destnumber, CallTokenService callTokens, TicketIssuer tickets,
        ILoggerFactory logs)
    {
        if (!http.Request.Query.TryGetValue("token", out var token) || !IsNavigation(http))
        {
            return null;
        }

        var redeemed = await TokenEndpoints.CheckForCallAsync(http, token.ToString(), destnumber, callTokens, tickets, logs);
        return new TokenState(redeemed.Ticket, redeemed.Error);
    }

    /// <summary>A browser's navigation to the page, a popup's or a widget's frame (Fetch Metadata, <c>Sec-Fetch-Mode</c>).</summary>
    private static bool IsNavigation(HttpContext http) =>
        string.Equals(http.Request.Headers["Sec-Fetch-Mode"], "navigate", StringComparison.Ordinal);

    /// <summary>The page's data block: <c>GET /api/session</c>'s answer, the language's texts, and a link's or token's verdict.</summary>
    private sealed record PopupState(bool Authenticated, string? Account, string Lang, IReadOnlyList<LanguageReply> Languages, JsonElement? Texts)
    {
        /// <summary><c>no_destination</c> or <c>bad_destination</c>; then nothing else is checked.</summary>
        public string? Error { get; init; }

        public LinkState? Link { get; init; }

        public TokenState? Token { get; init; }
    }

    /// <summary><c>POST /api/link</c>'s answer: the account and a ticket, or the error code.</summary>
    private sealed record LinkState(string? Account, string? Ticket, string? Error, int? RetryAfter);

    /// <summary><c>POST /api/token</c>'s answer as the page needs it: a ticket, or the error code.</summary>
    private sealed record TokenState(string? Ticket, string? Error);
}
