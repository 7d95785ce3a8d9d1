using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Sessions;
using Switchboard.Pbx.Tokens;
using Switchboard.Web.Hosting;

namespace Switchboard.Web.Api;

/// <summary>
/// Call tokens (docs/tokens.md): a website's backend mints them with its API key, the popup (or the widget's frame)
/// turns one into a call ticket, and the widget asks whether its page's origin may embed the domain's calls.
/// </summary>
internal static partial class TokenEndpoints
{
    public const string MintRateLimitPolicy = "tokens";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/tokens", MintAsync).RequireRateLimiting(MintRateLimitPolicy);
        var popup = app.MapGroup("/api").RequireRateLimiting(AuthEndpoints.RateLimitPolicy);
        popup.MapPost("/token", RedeemAsync);
        popup.MapGet("/embed", EmbedAsync);
    }

    private static async Task<IResult> MintAsync(HttpContext http, MintBody? body, CallTokenService tokens, TokenMintLimiter limiter, WebOptions options,
        ILoggerFactory logs)
    {
        var log = logs.CreateLogger("Switchboard.Web.Api.Tokens");
        var key = await tokens.AuthenticateAsync(http.Request.Headers.Authorization.ToString(), http.RequestAborted);
        if (key is null)
        {
            LogBadKey(log, ClientAddress.Of(http));
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Json(new ErrorReply("bad_api_key"), statusCode: StatusCodes.Status401Unauthorized);
        }

        if (!limiter.TryTake(key.Key.KeyId))
        {
            LogKeyLimited(log, key.Key.KeyId, key.Key.Domain);
            return Results.Json(new ErrorReply("rate_limited", 60), statusCode: StatusCodes.Status429TooManyRequests);
        }

        if (body is null)
        {
            return Results.BadRequest(new ErrorReply("bad_request"));
        }

        var request = new MintRequest(body.Destination, Seconds(body.Ttl), body.Label, Seconds(body.MaxDuration));
        var minted = await tokens.MintAsync(key, request, http.RequestAborted);
        if (minted.Token is null)
        {
            return Results.BadRequest(new ErrorReply(Code(minted.Refusal)) { Detail = minted.Why });
        }

        var destination = Redact.Account(body.Destination!);
        LogMinted(log, key.Key.KeyId, key.Key.Domain, destination);

        var baseUrl = options.PublicUrl ?? new Uri($"{http.Request.Scheme}://{http.Request.Host.Value}/");
        var url = new Uri(baseUrl, "makecall.htm?destnumber=" + Uri.EscapeDataString(body.Destination!) + "&token=" + minted.Token);
        return Results.Ok(new MintReply(minted.Token, url.AbsoluteUri, minted.ExpiresAt));
    }

    /// <summary>The popup presents its token: a ticket for one call to the token's destination; the token is used when that call starts.</summary>
    private static async Task<IResult> RedeemAsync(HttpContext http, TokenBody? body, CallTokenService tokens, TicketIssuer tickets, ILoggerFactory logs)
    {
        if (body is null || !Pbx.Directory.Names.IsDialString(body.Destnumber))
        {
            return Results.BadRequest(new ErrorReply(body is null ? "bad_request" : "bad_destination"));
        }

        var redeemed = await CheckForCallAsync(http, body.Token, body.Destnumber!, tokens, tickets, logs);
        return redeemed.Ticket is { } ticket
            ? Results.Ok(new TokenReply(redeemed.Destination!, ticket))
            : Results.Json(new ErrorReply(redeemed.Error!), statusCode: StatusCodes.Status401Unauthorized);
    }

    /// <summary>
    /// The token checked for <paramref name="destnumber"/> and, if valid, a call ticket bound to it; else the refusal's
    /// code, logged. What <c>POST /api/token</c> answers, and what the popup carries when a browser navigates to a
    /// token's URL (<c>PopupPage</c>): the token itself is used only when the call starts.
    /// </summary>
    internal static async Task<(string? Destination, string? Ticket, string? Error)> CheckForCallAsync(HttpContext http, string? token, string destnumber,
        CallTokenService tokens, TicketIssuer tickets, ILoggerFactory logs)
    {
        var check = await tokens.CheckAsync(token, destnumber, http.RequestAborted);
        if (check.Verdict != TokenVerdict.Valid)
        {
            LogRefused(logs.CreateLogger("Switchboard.Web.Api.Tokens"), ClientAddress.Of(http), check.Verdict);
            return (null, null, Code(check.Verdict));
        }

        var valid = check.Token!;
        var ticket = await tickets.IssueAsync(check.Caller!, valid.Destination, Pbx.Policy.CallOrigin.Token,
            new TicketToken(valid.TokenHash, valid.Label, valid.MaxDuration), http.RequestAborted);
        return (valid.Destination, ticket, null);
    }

    /// <summary>
    /// The widget asks, from the page that embeds it, whether that page's origin is allowed for the token's domain. The
    /// answer is readable cross-origin either way, so the widget can say why it shows no call; CSP's frame-ancestors on
    /// the embedded page is what enforces it (<see cref="SecurityHeaders"/>).
    /// </summary>
    private static async Task<IResult> EmbedAsync(HttpContext http, string? token, CallTokenService tokens, IWebOriginStore origins, ILoggerFactory logs)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            http.Response.Headers.AccessControlAllowOrigin = origin;
            http.Response.Headers.Vary = "Origin";
        }

        if (!WebOrigin.TryNormalize(origin, out var normalized))
        {
            return Results.BadRequest(new ErrorReply("no_origin"));
        }

        if (await tokens.DomainOfAsync(token, http.RequestAborted) is not { } domain)
        {
            return Results.Json(new ErrorReply("token_invalid"), statusCode: StatusCodes.Status401Unauthorized);
        }

        if (!(await origins.ListOriginsAsync(domain, http.RequestAborted)).Contains(normalized, StringComparer.Ordinal))
        {
            LogOriginRefused(logs.CreateLogger("Switchboard.Web.Api.Tokens"), normalized, domain);
            return Results.Json(new ErrorReply("origin_not_allowed"), statusCode: StatusCodes.Status403Forbidden);
        }

        return Results.Ok(new EmbedReply(true));
    }

    private static TimeSpan? Seconds(int? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;

    private static string Code(TokenVerdict verdict) => verdict switch
    {
        TokenVerdict.Used => "token_used",
        TokenVerdict.Expired => "token_expired",
        TokenVerdict.OtherDestination => "token_other_destination",
        _ => "token_invalid",
    };

    private static string Code(MintRefusal refusal) => refusal switch
    {
        MintRefusal.BadDestination => "bad_destination",
        MintRefusal.DestinationNotFound => "destination_not_found",
        MintRefusal.DestinationNotPermitted => "destination_not_permitted",
        MintRefusal.BadTtl => "bad_ttl",
        MintRefusal.BadMaxDuration => "bad_max_duration",
        MintRefusal.BadLabel => "bad_label",
        MintRefusal.CallerGone => "caller_gone",
        _ => "bad_request",
    };

    [LoggerMessage(EventId = 3050, Level = LogLevel.Warning, Message = "Token request from {Address} refused: missing, wrong or revoked API key")]
    private static partial void LogBadKey(ILogger logger, string address);

    [LoggerMessage(EventId = 3051, Level = LogLevel.Warning, Message = "API key {KeyId} of {Domain} is over its token rate limit")]
    private static partial void LogKeyLimited(ILogger logger, string keyId, string domain);

    [LoggerMessage(EventId = 3052, Level = LogLevel.Information, Message = "API key {KeyId} of {Domain} minted a call token for {Destination}")]
    private static partial void LogMinted(ILogger logger, string keyId, string domain, string destination);

    [LoggerMessage(EventId = 3053, Level = LogLevel.Warning, Message = "Popup from {Address} presented a call token: {Verdict}")]
    private static partial void LogRefused(ILogger logger, string address, TokenVerdict verdict);

    [LoggerMessage(EventId = 3054, Level = LogLevel.Warning, Message = "Widget on {Origin} refused: not an allowed origin of {Domain}")]
    private static partial void LogOriginRefused(ILogger logger, string origin, string domain);
}
