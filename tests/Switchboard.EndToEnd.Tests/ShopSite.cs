using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// A website on its own loopback origin (another port than the PBX's) that embeds the PBX's widget, with the backend
/// endpoint docs/widget.md asks for: <c>POST /call-token</c> mints a token with the site's API key and passes the
/// PBX's reply on. The key stays on this server; the browser never sees it.
/// </summary>
internal sealed class ShopSite : IAsyncDisposable
{
    private readonly WebApplication app;

    private ShopSite(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>The page's origin as a browser sends it (RFC 6454): scheme, host and port.</summary>
    public string Origin => Url.GetLeftPart(UriPartial.Authority);

    public static async Task<ShopSite> StartAsync(Uri pbx, string apiKey, string destination, string label)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var page = $"""
            <!doctype html><html lang="en"><title>Shop</title>
            <h1>Shop</h1>
            <script src="{pbx}widget.js" data-destination="{destination}" data-token-url="/call-token"></script>
            """;
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));

        // The site decides what may be called: it mints for its own destination, whatever the page posts.
        app.MapPost("/call-token", async (HttpContext http) =>
        {
            var (status, body) = await MintAsync(pbx, apiKey, new { destination, ttl = 120, label }, http.RequestAborted);
            return Results.Content(body, "application/json", statusCode: (int)status);
        });
        await app.StartAsync();
        return new ShopSite(app, new Uri(app.Urls.First() + "/"));
    }

    /// <summary>What a website's backend does with its key: <c>POST /api/tokens</c> (docs/tokens.md); the PBX's status and reply.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> MintAsync(Uri pbx, string apiKey, object request, CancellationToken ct = default)
    {
        using var client = new HttpClient { BaseAddress = pbx, Timeout = TimeSpan.FromSeconds(10) };
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri("api/tokens", UriKind.Relative)) { Content = JsonContent.Create(request) };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var reply = await client.SendAsync(message, ct);
        return (reply.StatusCode, await reply.Content.ReadAsStringAsync(ct));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
