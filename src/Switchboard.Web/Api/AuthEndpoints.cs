using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Links;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Sessions;
using Switchboard.Web.Hosting;

namespace Switchboard.Web.Api;

/// <summary>The popup's session API (docs/signalling.md, "HTTP API").</summary>
internal static partial class AuthEndpoints
{
    public const string RateLimitPolicy = "auth";

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireRateLimiting(RateLimitPolicy);
        api.MapGet("/session", GetSessionAsync);
        api.MapPost("/login", LoginAsync);
        api.MapPost("/logout", LogoutAsync);
        api.MapPost("/link", LinkAsync);
    }

    private static async Task<IResult> GetSessionAsync(HttpContext http, SessionService sessions, LanguageCatalog languages, ILoggerFactory logs,
        string? destnumber, string? lang)
    {
        if (!Names.IsDialString(destnumber))
        {
            LogBadDestination(logs.CreateLogger("Switchboard.Web.Api"), ClientAddress.Of(http), destnumber is null ? "(missing)" : Redact.Account(destnumber));
            return Results.BadRequest(new ErrorReply("bad_destination"));
        }

        var session = await sessions.ResolveAsync(SessionCookie.Read(http.Request), http.RequestAborted);
        var chosen = languages.Resolve(lang, session?.Language, http.Request.Headers.AcceptLanguage);
        var list = languages.Languages.Select(l => new LanguageReply(l.Code, l.Name)).ToList();
        return Results.Ok(new SessionReply(session is not null, session?.Extension.Account, chosen, list));
    }

    private static async Task<IResult> LoginAsync(HttpContext http, LoginBody? body, Authenticator auth, SessionService sessions,
        TicketIssuer tickets, LanguageCatalog languages)
    {
        if (body is null)
        {
            return Results.BadRequest(new ErrorReply("bad_request"));
        }

        var outcome = await auth.LoginAsync(body.Account, body.Password, ClientAddress.Of(http), http.RequestAborted);
        if (!outcome.Succeeded)
        {
            return Refusal(outcome);
        }

        var extension = outcome.Extension!;
        var lang = languages.Resolve(body.Lang, null, http.Request.Headers.AcceptLanguage);
        if (body.Remember)
        {
            var token = await sessions.CreateAsync(extension, lang, http.RequestAborted);
            SessionCookie.Write(http.Response, token, sessions.Lifetime);
        }

        return Results.Ok(new LoginReply(extension.Account, lang, await tickets.IssueAsync(extension, onlyDestination: null, origin: "web", ct: http.RequestAborted)));
    }

    private static async Task<IResult> LogoutAsync(HttpContext http, SessionService sessions)
    {
        if (SessionCookie.Read(http.Request) is { } token)
        {
            await sessions.RevokeAsync(token, http.RequestAborted);
        }

        SessionCookie.Clear(http.Response);
        return Results.Ok(new { });
    }

    private static async Task<IResult> LinkAsync(HttpContext http, LinkBody? body, Authenticator auth, TicketIssuer tickets)
    {
        if (body is null || !Names.IsDialString(body.Destnumber))
        {
            return Results.BadRequest(new ErrorReply(body is null ? "bad_request" : "bad_destination"));
        }

        var link = new SignedLinkRequest(body.Destnumber, body.User, body.Pass, body.Time, body.Duration);
        var outcome = await auth.CheckLinkAsync(link, ClientAddress.Of(http), http.RequestAborted);
        if (!outcome.Succeeded)
        {
            return Refusal(outcome);
        }

        var extension = outcome.Extension!;
        return Results.Ok(new LinkReply(extension.Account, body.Destnumber!, await tickets.IssueAsync(extension, body.Destnumber, origin: "link", ct: http.RequestAborted)));
    }

    private static IResult Refusal(AuthOutcome outcome)
    {
        var reply = RefusalReply(outcome);
        return Results.Json(reply, statusCode: outcome.Failure switch
        {
            AuthFailure.LockedOut => StatusCodes.Status429TooManyRequests,
            AuthFailure.BadCredentials or AuthFailure.LinkForged or AuthFailure.LinkExpired or AuthFailure.LinkNotYetValid => StatusCodes.Status401Unauthorized,
            _ => StatusCodes.Status400BadRequest,
        });
    }

    /// <summary>The error code (and for a lockout, the seconds to wait) of a refused login or link, as the page shows it.</summary>
    internal static ErrorReply RefusalReply(AuthOutcome outcome) => outcome.Failure switch
    {
        AuthFailure.LockedOut => new ErrorReply("locked_out", (int)Math.Ceiling(outcome.RetryAfter.TotalSeconds)),
        AuthFailure.BadCredentials => new ErrorReply("bad_credentials"),
        AuthFailure.LinkForged => new ErrorReply("link_invalid"),
        AuthFailure.LinkExpired => new ErrorReply("link_expired"),
        AuthFailure.LinkNotYetValid => new ErrorReply("link_not_yet_valid"),
        AuthFailure.LinkDurationTooLong => new ErrorReply("link_duration_too_long"),
        _ => new ErrorReply("bad_request"),
    };

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Popup from {Address} opened with a bad destination number {Destination}")]
    internal static partial void LogBadDestination(ILogger logger, string address, string destination);
}
