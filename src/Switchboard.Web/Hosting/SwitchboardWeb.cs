using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Switchboard.Web.Api;
using Switchboard.Web.Calls;
using Switchboard.Web.Pages;

namespace Switchboard.Web.Hosting;

/// <summary>Registers and maps the web side: the popup's files and widget, its API, the call socket and the demo page.</summary>
public static class SwitchboardWeb
{
    public static IServiceCollection AddSwitchboardWeb(this IServiceCollection services, WebOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<ResumableCalls>();
        services.AddSingleton(new LanguageCatalog(options.WebRoot));
        services.AddSingleton(new InlinedPages(options.WebRoot, "makecall.htm"));
        services.AddSingleton<SwitchboardMeter>();
        services.AddSingleton<TokenMintLimiter>();
        services.AddHealthChecks();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("switchboard"))
            .WithMetrics(metrics => metrics.AddMeter(SwitchboardMeter.Name).AddPrometheusExporter());
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(AuthEndpoints.RateLimitPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.Of(http),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.AuthRequestsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            limiter.AddPolicy(TokenEndpoints.MintRateLimitPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.Of(http),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.TokenRequestsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return services;
    }

    public static WebApplication UseSwitchboardWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<WebOptions>();
        app.Use(SecurityHeaders.ApplyAsync);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseRateLimiter();
        if (System.IO.Directory.Exists(options.WebRoot))
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(options.WebRoot),
                OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl = "no-cache",
            });
        }

        DemoPage.Map(app);
        PopupPage.Map(app);
        AuthEndpoints.Map(app);
        TokenEndpoints.Map(app);
        Api.Admin.AdminEndpoints.Map(app);
        AdminPage.Map(app);
        CallSocketEndpoint.Map(app);
        Sip.SipWebSocketEndpoint.Map(app);
        Phone.PhoneEndpoints.Map(app);
        // GET /metrics, for loopback clients only (a scraper on the same host, or a local agent that forwards).
        _ = app.Services.GetRequiredService<SwitchboardMeter>();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(http =>
            http.Request.Path == "/metrics" && http.Connection.RemoteIpAddress is { } ip && System.Net.IPAddress.IsLoopback(ip));
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));

        // Ready for traffic: every registered check passes (the host registers the store, SIP, media and drain checks).
        app.MapHealthChecks("/readyz", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            ResponseWriter = ReadinessReply.WriteAsync,
            ResultStatusCodes =
            {
                [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy] = StatusCodes.Status200OK,
                [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }
}
