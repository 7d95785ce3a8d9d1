using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Pbx;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Services;

namespace Switchboard.Web.Pages;

/// <summary>
/// <c>GET /</c>: a page with click-to-call links written exactly as the seed writes them, so the
/// markup can be copied onto any web page (spec 1).
/// </summary>
internal static class DemoPage
{
    /// <summary>The demo page runs the seed's inline <c>onclick</c> handlers; the popup itself allows no inline script.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/", RenderAsync);

    private static async Task<IResult> RenderAsync(HttpContext http, IDirectoryStore directory, PbxIdentity identity, ServiceOptions services)
    {
        var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}";
        var extensions = await directory.ListExtensionsAsync(identity.DefaultDomain, http.RequestAborted);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Switchboard: click-to-call demo</title>")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5}")
            .Append("div[onclick]{color:#0645ad;text-decoration:underline;margin:.3rem 0}code{background:#f3f3f3;padding:.1rem .3rem}</style></head><body>")
            .Append("<h1>Switchboard</h1><p>Click a name: a small window opens, asks for your extension and password once, and calls through the PBX.</p>")
            .Append("<h2>Extensions in ").Append(WebUtility.HtmlEncode(identity.DefaultDomain)).Append("</h2>");
        foreach (var extension in extensions)
        {
            AppendLink(html, baseUrl, extension.Number, $"{extension.DisplayName} ({extension.Number})");
        }

        html.Append("<h2>Tests</h2>");
        AppendLink(html, baseUrl, services.EchoNumber, $"Echo test ({services.EchoNumber}): you hear yourself");
        AppendLink(html, baseUrl, services.DtmfTestNumber, $"DTMF test ({services.DtmfTestNumber}): the keypad's digits are written to the call record");
        AppendLink(html, baseUrl, services.IvrNumber, $"Auto attendant ({services.IvrNumber}): a spoken menu; press 1 for Alice (100), 2 for Bob (101), 9 for the echo test");
        html.Append("<h2>Other numbers</h2>");
        AppendLink(html, baseUrl, "1234567890", "John Smith (1234567890, the seed's example: \"not found\" until a trunk and a dial rule reach it, docs/trunks.md)");
        html.Append("<h2>Put a link on your own page</h2><pre><code>")
            .Append(WebUtility.HtmlEncode(Snippet(baseUrl, "100", "John Smith")))
            .Append("</code></pre><p>Signed links that need no login are made with <code>switchboard link make</code>; see the README.</p></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    private static void AppendLink(StringBuilder html, string baseUrl, string number, string label) =>
        html.Append(Snippet(baseUrl, number, WebUtility.HtmlEncode(label)));

    /// <summary>The seed's snippet, character for character but for the address and number.</summary>
    internal static string Snippet(string baseUrl, string number, string labelHtml) =>
        $"<div style=\"cursor:pointer;\" onclick=\"window.open('{baseUrl}/makecall.htm?destnumber={Uri.EscapeDataString(number)}', '', 'width=230, height=300, left=200, location=0');\">{labelHtml}</div>\n";
}
