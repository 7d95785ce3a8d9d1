using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Switchboard.Web.Hosting;

namespace Switchboard.Web.Tests.Hosting;

public sealed class InlinedPageTests : IDisposable
{
    private const string Css = "body { color: red; }\n";
    private const string First = "window.first = 1;\n";
    private const string Second = "window.second = document.getElementById('sb-boot').textContent;\n";
    private const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'";

    /// <summary>JSON as a careless serializer writes it: markup characters left as they are.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _root = Directory.CreateTempSubdirectory("sb-inline-").FullName;

    public InlinedPageTests()
    {
        File.WriteAllText(Path.Combine(_root, "page.htm"), """
            <!doctype html>
            <html><head>
            <link rel="stylesheet" href="page.css">
            <script src="first.js" defer></script>
            <script src="second.js" defer></script>
            </head>
            <body><p id="x">x</p>
            </body></html>
            """);
        File.WriteAllText(Path.Combine(_root, "page.css"), Css);
        File.WriteAllText(Path.Combine(_root, "first.js"), First);
        File.WriteAllText(Path.Combine(_root, "second.js"), Second);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Sha256(string text) => "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text))) + "'";

    private static async Task<string> RenderAsync(InlinedPage page, string json)
    {
        var http = new DefaultHttpContext();
        using var body = new MemoryStream();
        http.Response.Body = body;
        await page.WriteAsync(http.Response, json);
        Assert.Equal("text/html; charset=utf-8", http.Response.ContentType);
        Assert.Equal(body.Length, http.Response.ContentLength);
        return Encoding.UTF8.GetString(body.ToArray());
    }

    [Fact]
    public async Task The_stylesheet_takes_its_links_place_and_the_scripts_follow_the_data_at_the_end_of_the_body()
    {
        var html = await RenderAsync(InlinedPage.Load(_root, "page.htm"), """{"a":1}""");

        Assert.DoesNotContain("src=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
        Assert.Contains("<head>\n<style>" + Css + "</style>\n</head>", html, StringComparison.Ordinal);
        Assert.EndsWith(
            "<body><p id=\"x\">x</p>\n<script type=\"application/json\" id=\"sb-boot\">{\"a\":1}</script>\n" +
            "<script>" + First + "</script>\n<script>" + Second + "</script>\n</body></html>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_policy_allows_exactly_the_inline_texts_by_their_hashes()
    {
        var page = InlinedPage.Load(_root, "page.htm");

        Assert.Equal([Sha256(First), Sha256(Second)], page.ScriptHashes);
        Assert.Equal([Sha256(Css)], page.StyleHashes);
        Assert.Equal(
            $"default-src 'self'; script-src 'self' {Sha256(First)} {Sha256(Second)}; style-src 'self' {Sha256(Css)}; frame-ancestors 'none'",
            page.PolicyFor(Policy));
    }

    [Fact]
    public async Task No_value_in_the_data_can_end_its_block_or_open_a_script()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new { a = "</script><script>alert(1)</script>", b = "<!--", c = "a&b" }, Relaxed);
        Assert.Contains("</script>", json, StringComparison.Ordinal);

        var html = await RenderAsync(InlinedPage.Load(_root, "page.htm"), json);

        var data = html[html.IndexOf("id=\"sb-boot\">", StringComparison.Ordinal)..];
        data = data[(data.IndexOf('>', StringComparison.Ordinal) + 1)..data.IndexOf("</script>", StringComparison.Ordinal)];
        Assert.DoesNotContain("<", data, StringComparison.Ordinal);
        using var parsed = System.Text.Json.JsonDocument.Parse(data);
        Assert.Equal("</script><script>alert(1)</script>", parsed.RootElement.GetProperty("a").GetString());
        Assert.Equal("<!--", parsed.RootElement.GetProperty("b").GetString());
        Assert.Equal("a&b", parsed.RootElement.GetProperty("c").GetString());
    }

    [Fact]
    public void A_script_that_would_end_its_own_element_is_refused()
    {
        File.WriteAllText(Path.Combine(_root, "second.js"), "var s = '</SCRIPT>';\n");

        Assert.Throws<InvalidDataException>(() => InlinedPage.Load(_root, "page.htm"));
    }

    [Fact]
    public void The_popup_itself_can_be_inlined()
    {
        var webRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        var page = new InlinedPages(webRoot, "makecall.htm").Get("/makecall.htm");

        Assert.Equal(2, page.ScriptHashes.Count);
        Assert.Single(page.StyleHashes);
        Assert.Null(new InlinedPages(webRoot, "makecall.htm").Find("/makecall.js"));
    }
}
