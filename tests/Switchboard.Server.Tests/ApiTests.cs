using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Switchboard.Server.Tests;

public sealed class ApiTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public ApiTests(ServerFixture server) => _server = server;

    private HttpClient Client(bool https = false, CookieContainer? cookies = null)
    {
        var handler = new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        return new HttpClient(handler) { BaseAddress = https ? _server.Host.HttpsUrl : _server.Host.HttpUrl };
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task Session_refuses_a_bad_destination_and_reports_anonymous_otherwise()
    {
        using var client = Client();
        var bad = await client.GetAsync(new Uri("api/session?destnumber=1;2", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("bad_destination", (await JsonAsync(bad)).GetProperty("error").GetString());

        var ok = await client.GetAsync(new Uri("api/session?destnumber=101", UriKind.Relative));
        Assert.False((await JsonAsync(ok)).GetProperty("authenticated").GetBoolean());
        Assert.Equal("no-store", ok.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Remembered_login_sets_a_strict_cookie_over_https_and_logout_revokes_it_on_the_server()
    {
        var cookies = new CookieContainer();
        using var client = Client(https: true, cookies);
        var login = await client.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account = "100", password = ServerFixture.Password, remember = true, lang = "de" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        var token = cookies.GetCookies(_server.Host.HttpsUrl)["sb_session"]!.Value;

        var session = await JsonAsync(await client.GetAsync(new Uri("api/session?destnumber=101", UriKind.Relative)));
        Assert.True(session.GetProperty("authenticated").GetBoolean());
        Assert.Equal("100@demo.local", session.GetProperty("account").GetString());

        await client.PostAsync(new Uri("api/logout", UriKind.Relative), null);

        // The old cookie, replayed after logout, no longer opens a session.
        using var replay = Client(https: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/session?destnumber=101", UriKind.Relative));
        request.Headers.Add("Cookie", "sb_session=" + token);
        Assert.False((await JsonAsync(await replay.SendAsync(request))).GetProperty("authenticated").GetBoolean());
    }

    [Fact]
    public async Task Login_without_remember_gives_a_ticket_and_no_cookie()
    {
        using var client = Client();
        var login = await client.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account = "101@demo.local", password = ServerFixture.Password, remember = false });
        Assert.False(login.Headers.Contains("Set-Cookie"));
        Assert.False(string.IsNullOrEmpty((await JsonAsync(login)).GetProperty("ticket").GetString()));
    }

    [Fact]
    public async Task Wrong_passwords_lock_the_account_with_a_retry_time()
    {
        await _server.Host.Admin.CreateExtensionAsync("demo.local", "150", "Lock", "right", "sip");
        using var client = Client();
        for (var i = 0; i < 2; i++)
        {
            var wrong = await client.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account = "150", password = "wrong" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        var locked = await client.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account = "150", password = "wrong" });
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.True((await JsonAsync(locked)).GetProperty("retryAfter").GetInt32() > 0);

        // Even the right password is refused while locked.
        var right = await client.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account = "150", password = "right" });
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
    }

    [Theory]
    [InlineData(0, 3600, "101", "101", HttpStatusCode.OK, null)]
    [InlineData(-7200, 3600, "101", "101", HttpStatusCode.Unauthorized, "link_expired")]
    [InlineData(3600, 3600, "101", "101", HttpStatusCode.Unauthorized, "link_not_yet_valid")]
    [InlineData(0, 86400, "101", "101", HttpStatusCode.BadRequest, "link_duration_too_long")]
    public async Task Signed_links_are_checked_by_window_and_cap(long offset, long duration, string signedFor, string dest, HttpStatusCode status, string? error)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var url = await _server.Host.Admin.MakeSignedLinkAsync(_server.Host.HttpUrl, "100@demo.local", signedFor, now + offset, duration);
        using var client = Client();
        var reply = await SignedLinks.PostAsync(client, url, dest);

        Assert.Equal(status, reply.StatusCode);
        if (error is not null)
        {
            Assert.Equal(error, (await JsonAsync(reply)).GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task Every_response_forbids_framing_and_foreign_scripts()
    {
        using var client = Client();
        var page = await client.GetAsync(new Uri("api/session?destnumber=1", UriKind.Relative));
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task Demo_page_has_links_in_the_seeds_window_open_form()
    {
        using var client = Client();
        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains($"onclick=\"window.open('{_server.Host.HttpUrl.AbsoluteUri.TrimEnd('/')}/makecall.htm?destnumber=100', '', 'width=230, height=300, left=200, location=0');\"", html, StringComparison.Ordinal);
    }
}
