using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pbx.Tokens;

namespace Switchboard.Server.Tests;

/// <summary>
/// <c>GET /makecall.htm</c> carries what the page's script used to ask first (docs/page.md, "What the page carries"):
/// the session state, the language's texts and a signed link's verdict, under a CSP that allows its inline
/// script and style by hash only.
/// </summary>
public sealed partial class PopupPageTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public PopupPageTests(ServerFixture server) => _server = server;

    [GeneratedRegex("<script>(?<text>.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex InlineScript();

    [GeneratedRegex("<style>(?<text>.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex InlineStyle();

    [GeneratedRegex("""<script type="application/json" id="sb-boot">(?<json>.*?)</script>""", RegexOptions.Singleline)]
    private static partial Regex DataBlock();

    [GeneratedRegex("""<script(?![^>]*\bsrc=)(?![^>]*type="application/json")[^>]*>|\son[a-z]+\s*=|\sstyle\s*=""", RegexOptions.IgnoreCase)]
    private static partial Regex InlineCodeBesidesTheKnown();

    private HttpClient Client(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer() }) { BaseAddress = _server.Host.HttpUrl };

    private static HttpRequestMessage Navigate(string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, UriKind.RelativeOrAbsolute));
        request.Headers.Add("Sec-Fetch-Mode", "navigate");
        request.Headers.Add("Sec-Fetch-Dest", "document");
        return request;
    }

    private static async Task<(string Html, JsonElement State)> PageAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var json = DataBlock().Match(html);
        Assert.True(json.Success, "the page has its data block");
        return (html, JsonDocument.Parse(json.Groups["json"].Value).RootElement.Clone());
    }

    private static string Sha256(string text) => "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text))) + "'";

    [Fact]
    public async Task The_page_runs_its_own_inline_script_and_style_only_and_is_never_stored()
    {
        using var client = Client();
        var response = await client.GetAsync(new Uri("makecall.htm?destnumber=101", UriKind.Relative));
        var (html, _) = await PageAsync(response);

        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        var scripts = InlineScript().Matches(html).Select(m => m.Groups["text"].Value).ToList();
        Assert.Equal(2, scripts.Count); // quality.js, makecall.js
        var scriptSrc = Directive(csp, "script-src");
        Assert.Equal(["'self'", .. scripts.Select(Sha256)], scriptSrc);
        var style = Assert.Single(InlineStyle().Matches(html)).Groups["text"].Value;
        Assert.Equal(["'self'", Sha256(style)], Directive(csp, "style-src"));
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);

        // Nothing else inline: no other script element, no event handler attribute, no style attribute.
        var rest = InlineScript().Replace(DataBlock().Replace(html, ""), "");
        Assert.DoesNotMatch(InlineCodeBesidesTheKnown(), rest);
        Assert.True(Encoding.UTF8.GetByteCount(html) < 40 * 1024, $"the page is {Encoding.UTF8.GetByteCount(html)} bytes");
    }

    [Fact]
    public async Task An_anonymous_page_carries_the_session_state_and_its_languages_texts()
    {
        using var client = Client();
        using var request = Navigate("makecall.htm?destnumber=101&lang=de");
        var (_, state) = await PageAsync(await client.SendAsync(request));

        Assert.False(state.GetProperty("authenticated").GetBoolean());
        Assert.False(state.TryGetProperty("account", out _));
        Assert.False(state.TryGetProperty("link", out _));
        Assert.Equal("de", state.GetProperty("lang").GetString());
        Assert.Equal("Anmelden", state.GetProperty("texts").GetProperty("login").GetString());
        Assert.Contains(state.GetProperty("languages").EnumerateArray(), l => l.GetProperty("code").GetString() == "en");
    }

    [Fact]
    public async Task A_remembered_session_is_in_the_page_and_a_revoked_one_is_not()
    {
        var cookies = new CookieContainer();
        using var client = Client(cookies);
        var login = await client.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account = "100", password = ServerFixture.Password, remember = true, lang = "de" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);

        var (_, state) = await PageAsync(await client.GetAsync(new Uri("makecall.htm?destnumber=101", UriKind.Relative)));
        Assert.True(state.GetProperty("authenticated").GetBoolean());
        Assert.Equal("100@demo.local", state.GetProperty("account").GetString());
        Assert.Equal("de", state.GetProperty("lang").GetString());

        await client.PostAsync(new Uri("api/logout", UriKind.Relative), null);
        (_, state) = await PageAsync(await client.GetAsync(new Uri("makecall.htm?destnumber=101", UriKind.Relative)));
        Assert.False(state.GetProperty("authenticated").GetBoolean());
    }

    [Theory]
    [InlineData("", "no_destination")]
    [InlineData("?destnumber=1;2", "bad_destination")]
    public async Task A_bad_destination_is_in_the_page_and_nothing_else_is_checked(string query, string error)
    {
        using var client = Client();
        var (_, state) = await PageAsync(await client.GetAsync(new Uri("makecall.htm" + query, UriKind.Relative)));

        Assert.Equal(error, state.GetProperty("error").GetString());
        Assert.False(state.GetProperty("authenticated").GetBoolean());
        Assert.Equal("en", state.GetProperty("lang").GetString());
    }

    [Fact]
    public async Task A_signed_link_a_browser_navigates_to_carries_a_single_use_ticket_for_its_destination_only()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var url = await _server.Host.Admin.MakeSignedLinkAsync(_server.Host.HttpUrl, "100@demo.local", "999", now, 600);
        using var client = Client();
        using var request = Navigate(url.ToString());
        var (_, state) = await PageAsync(await client.SendAsync(request));

        var link = state.GetProperty("link");
        Assert.Equal("100@demo.local", link.GetProperty("account").GetString());
        var ticket = link.GetProperty("ticket").GetString();
        Assert.False(string.IsNullOrEmpty(ticket));

        await ExpectTicketGrantsOnlyItsDestinationOnceAsync(ticket!, otherDestination: "101");
    }

    [Fact]
    public async Task An_expired_link_is_refused_in_the_page_and_one_fetched_without_navigating_is_not_checked()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var expired = await _server.Host.Admin.MakeSignedLinkAsync(_server.Host.HttpUrl, "100@demo.local", "101", now - 7200, 3600);
        using var client = Client();
        using var request = Navigate(expired.ToString());
        var (_, state) = await PageAsync(await client.SendAsync(request));
        var link = state.GetProperty("link");
        Assert.Equal("link_expired", link.GetProperty("error").GetString());
        Assert.False(link.TryGetProperty("ticket", out _));

        // A link preview or crawler (no Fetch Metadata) gets the page without a verdict; the page's script asks itself.
        var valid = await _server.Host.Admin.MakeSignedLinkAsync(_server.Host.HttpUrl, "100@demo.local", "101", now, 600);
        (_, state) = await PageAsync(await client.GetAsync(valid));
        Assert.False(state.TryGetProperty("link", out _));
    }

    [Fact]
    public async Task A_call_token_a_browser_navigates_to_carries_a_ticket_for_its_destination_and_is_not_used_by_it()
    {
        var key = (await ApiKeyAdmin.CreateAsync(_server.Host.Services.GetRequiredService<IApiKeyStore>(), "demo.local", "100", "shop",
            DateTimeOffset.UtcNow)).Secret;
        using var client = Client();
        using var mint = new HttpRequestMessage(HttpMethod.Post, new Uri("api/tokens", UriKind.Relative)) { Content = JsonContent.Create(new { destination = "101" }) };
        mint.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var minted = await client.SendAsync(mint);
        Assert.Equal(HttpStatusCode.OK, minted.StatusCode);
        var reply = JsonDocument.Parse(await minted.Content.ReadAsStringAsync()).RootElement;
        var url = reply.GetProperty("url").GetString()!;

        using (var request = Navigate(url))
        {
            var token = (await PageAsync(await client.SendAsync(request))).State.GetProperty("token");
            Assert.False(token.TryGetProperty("error", out _));
            var ticket = token.GetProperty("ticket").GetString();
            Assert.False(string.IsNullOrEmpty(ticket));

            // Checking it in the page did not use the token (its call does): the page's own request still gets a ticket.
            using (var redeem = await client.PostAsJsonAsync(new Uri("api/token", UriKind.Relative), new { destnumber = "101", token = reply.GetProperty("token").GetString() }))
            {
                Assert.Equal(HttpStatusCode.OK, redeem.StatusCode);
            }

            await ExpectTicketGrantsOnlyItsDestinationOnceAsync(ticket!, otherDestination: "100");
        }

        // Opened for another number: refused in the page, no ticket.
        using (var request = Navigate(url.Replace("destnumber=101", "destnumber=100", StringComparison.Ordinal)))
        {
            var token = (await PageAsync(await client.SendAsync(request))).State.GetProperty("token");
            Assert.Equal("token_other_destination", token.GetProperty("error").GetString());
            Assert.False(token.TryGetProperty("ticket", out _));
        }

        // A link preview or crawler (no Fetch Metadata) gets the page without a verdict.
        Assert.False((await PageAsync(await client.GetAsync(new Uri(url)))).State.TryGetProperty("token", out _));
    }

    /// <summary>The ticket a page carried is single-use and grants its own destination only: another number is refused on the socket.</summary>
    private async Task ExpectTicketGrantsOnlyItsDestinationOnceAsync(string ticket, string otherDestination)
    {
        var socketUri = new Uri($"ws://{_server.Host.HttpUrl.Authority}/api/call?ticket={ticket}");
        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(socketUri, CancellationToken.None);
            await SendAsync(socket, new { type = "call", destnumber = otherDestination, sdp = "v=0\r\n" });
            Assert.Equal("not_permitted", (await ReadUntilClosedAsync(socket))[^1].GetProperty("reason").GetString());
        }

        using var again = new ClientWebSocket();
        await again.ConnectAsync(socketUri, CancellationToken.None);
        Assert.Equal("unauthorized", Assert.Single(await ReadUntilClosedAsync(again)).GetProperty("reason").GetString());
    }

    private static List<string> Directive(string csp, string name) =>
        csp.Split(';', StringSplitOptions.TrimEntries).Single(d => d.StartsWith(name + " ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();

    private static Task SendAsync(ClientWebSocket socket, object message) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<List<JsonElement>> ReadUntilClosedAsync(ClientWebSocket socket)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var messages = new List<JsonElement>();
        var buffer = new byte[65536];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return messages;
            }

            messages.Add(JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count)).RootElement.Clone());
        }
    }
}
