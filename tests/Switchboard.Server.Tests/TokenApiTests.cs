using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pbx.Tokens;
using Switchboard.Storage;
using Switchboard.Web.Hosting;

namespace Switchboard.Server.Tests;

/// <summary><c>POST /api/tokens</c>, <c>POST /api/token</c> and <c>GET /api/embed</c> on a real server (docs/tokens.md, docs/widget.md).</summary>
public sealed class TokenApiTests : IAsyncLifetime, IDisposable
{
    private const string Shop = "http://127.0.0.1:4711";
    private readonly TempDataFolder _data = new("sb-tokens-");
    private PbxHost _host = null!;
    private string _key = null!;

    public async Task InitializeAsync() => (_host, _key) = await StartAsync(_data.Path, new WebOptions());

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>After <see cref="DisposeAsync"/> (xunit's order): the stopped host no longer holds the folder's files.</summary>
    public void Dispose() => _data.Dispose();

    /// <summary>A server with example.com, extension 200 (the key's caller) and 201, and an API key calling as 200.</summary>
    private static async Task<(PbxHost Host, string Key)> StartAsync(string data, WebOptions web)
    {
        var host = await PbxHost.StartAsync(TestHostOptions.For(data) with { Web = web });
        await host.Admin.CreateDomainAsync("example.com");
        await host.Admin.CreateExtensionAsync("example.com", "200", "Web visitor", "web-pw", "sip-pw");
        await host.Admin.CreateExtensionAsync("example.com", "201", "Sales", "web-pw-2", "sip-pw-2");
        return (host, await NewKeyAsync(host));
    }

    private static async Task<string> NewKeyAsync(PbxHost host) =>
        (await ApiKeyAdmin.CreateAsync(host.Services.GetRequiredService<IApiKeyStore>(), "example.com", "200", "shop", DateTimeOffset.UtcNow)).Secret;

    private static async Task<(HttpStatusCode Status, JsonElement Body)> MintAsync(PbxHost host, string? key, object body)
    {
        using var client = new HttpClient { BaseAddress = host.HttpUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/tokens", UriKind.Relative)) { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> RedeemAsync(string destination, string token)
    {
        using var client = new HttpClient { BaseAddress = _host.HttpUrl };
        using var response = await client.PostAsJsonAsync(new Uri("api/token", UriKind.Relative), new { destnumber = destination, token });
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<long> TokensStoredAsync(PbxHost host)
    {
        await using var c = await host.Services.GetRequiredService<StoreDatabase>().OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM call_tokens;";
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Error(JsonElement body) => body.GetProperty("error").GetString()!;

    [Fact]
    public async Task A_key_mints_a_token_for_one_destination_that_the_popup_redeems_until_its_call_uses_it()
    {
        var before = DateTimeOffset.UtcNow;
        var (status, body) = await MintAsync(_host, _key, new { destination = "201", ttl = 120, label = "order 42" });

        Assert.Equal(HttpStatusCode.OK, status);
        var token = body.GetProperty("token").GetString()!;
        Assert.Equal(new Uri(_host.HttpUrl, "makecall.htm?destnumber=201&token=" + token), new Uri(body.GetProperty("url").GetString()!));
        var expires = body.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expires, before.AddSeconds(119), DateTimeOffset.UtcNow.AddSeconds(121));

        // The popup's check does not use it up: a reload before the call starts checks it again.
        Assert.Equal(HttpStatusCode.OK, (await RedeemAsync("201", token)).Status);
        var again = await RedeemAsync("201", token);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.False(string.IsNullOrEmpty(again.Body.GetProperty("ticket").GetString()));

        var other = await RedeemAsync("200", token);
        Assert.Equal(HttpStatusCode.Unauthorized, other.Status);
        Assert.Equal("token_other_destination", Error(other.Body));
        Assert.Equal("token_invalid", Error((await RedeemAsync("201", token[..^1] + (token[^1] == 'A' ? 'B' : 'A'))).Body));

        // A call starting uses it: the first wins, a second start and any later check are refused.
        var tokens = _host.Services.GetRequiredService<CallTokenService>();
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token));
        Assert.True(await tokens.ConsumeAsync(hash));
        Assert.False(await tokens.ConsumeAsync(hash));
        Assert.Equal("token_used", Error((await RedeemAsync("201", token)).Body));
    }

    [Fact]
    public async Task A_missing_wrong_or_revoked_key_gets_401_and_mints_nothing()
    {
        var body = new { destination = "201" };
        var wrongSecret = _key[..^2] + (_key[^2] == 'A' ? "BB" : "AA");
        foreach (var key in new string?[] { null, "not-a-key", wrongSecret, "sbk_0123456789abcdef_" + new string('A', 43) })
        {
            var (status, reply) = await MintAsync(_host, key, body);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Equal("bad_api_key", Error(reply));
        }

        Assert.True(ApiKeySecret.TryParse(_key, out var keyId));
        Assert.True(await _host.Services.GetRequiredService<IApiKeyStore>().RevokeKeyAsync(keyId, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.Unauthorized, (await MintAsync(_host, _key, body)).Status);
        Assert.Equal(0, await TokensStoredAsync(_host));
    }

    [Fact]
    public async Task Revoking_a_key_also_refuses_the_tokens_it_minted()
    {
        var token = (await MintAsync(_host, _key, new { destination = "201" })).Body.GetProperty("token").GetString()!;
        Assert.True(ApiKeySecret.TryParse(_key, out var keyId));
        await _host.Services.GetRequiredService<IApiKeyStore>().RevokeKeyAsync(keyId, DateTimeOffset.UtcNow);

        Assert.Equal("token_invalid", Error((await RedeemAsync("201", token)).Body));
    }

    [Fact]
    public async Task The_ttl_defaults_to_the_ten_minute_cap_and_longer_ones_or_calls_are_refused_not_shortened()
    {
        var before = DateTimeOffset.UtcNow;
        var (status, body) = await MintAsync(_host, _key, new { destination = "201" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.InRange(body.GetProperty("expiresAt").GetDateTimeOffset(), before.AddMinutes(10).AddSeconds(-1), DateTimeOffset.UtcNow.AddMinutes(10).AddSeconds(1));

        Assert.Equal("bad_ttl", Error((await MintAsync(_host, _key, new { destination = "201", ttl = 601 })).Body));
        Assert.Equal("bad_ttl", Error((await MintAsync(_host, _key, new { destination = "201", ttl = 0 })).Body));
        Assert.Equal("bad_max_duration", Error((await MintAsync(_host, _key, new { destination = "201", maxDuration = 4 * 3600 + 1 })).Body));
        Assert.Equal(HttpStatusCode.OK, (await MintAsync(_host, _key, new { destination = "201", maxDuration = 300 })).Status);
        Assert.Equal("bad_label", Error((await MintAsync(_host, _key, new { destination = "201", label = new string('x', 101) })).Body));
        Assert.Equal(2, await TokensStoredAsync(_host));
    }

    [Fact]
    public async Task A_destination_the_dial_plan_would_refuse_mints_nothing()
    {
        Assert.Equal("bad_destination", Error((await MintAsync(_host, _key, new { destination = "20;1" })).Body));
        Assert.Equal("destination_not_found", Error((await MintAsync(_host, _key, new { destination = "004930123456" })).Body));
        Assert.Equal(0, await TokensStoredAsync(_host));
    }

    [Fact]
    public async Task Minting_is_rate_limited_per_key_and_per_address()
    {
        using var data = new TempDataFolder("sb-tokens-limit-");
        var (host, key) = await StartAsync(data.Path, new WebOptions { TokenMintsPerKeyPerMinute = 3, TokenRequestsPerMinute = 10 });
        await using (host)
        {
            var body = new { destination = "201" };
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await MintAsync(host, key, body)).Status);
            }

            var limited = await MintAsync(host, key, body);
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
            Assert.Equal("rate_limited", Error(limited.Body));

            // Another key of the same site still mints: the limit is the key's.
            Assert.Equal(HttpStatusCode.OK, (await MintAsync(host, await NewKeyAsync(host), body)).Status);

            // Five requests of this address are spent; guessing keys runs into the address's limit of ten.
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 6; i++)
            {
                statuses.Add((await MintAsync(host, "sbk_0123456789abcdef_" + new string('A', 43), body)).Status);
            }

            Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), HttpStatusCode.TooManyRequests], statuses);
            Assert.Equal(4, await TokensStoredAsync(host));
        }
    }

    [Fact]
    public async Task Only_the_domains_allowed_origins_may_embed_its_calls()
    {
        await _host.Services.GetRequiredService<IWebOriginStore>().AddOriginAsync("example.com", Shop);
        var token = (await MintAsync(_host, _key, new { destination = "201" })).Body.GetProperty("token").GetString()!;
        using var client = new HttpClient { BaseAddress = _host.HttpUrl };

        async Task<HttpResponseMessage> EmbedAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/embed?token=" + token, UriKind.Relative));
            request.Headers.Add("Origin", origin);
            return await client.SendAsync(request);
        }

        using var allowed = await EmbedAsync(Shop);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(Shop, Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        using var refused = await EmbedAsync("http://127.0.0.1:4712");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("origin_not_allowed", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The embedded page names exactly the allowed origins in frame-ancestors; the popup itself stays unframable.
        using var embedded = await client.GetAsync(new Uri("makecall.htm?destnumber=201&embed=1&token=" + token, UriKind.Relative));
        Assert.Contains("frame-ancestors " + Shop + ";", embedded.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.False(embedded.Headers.Contains("X-Frame-Options"));
        using var popup = await client.GetAsync(new Uri("makecall.htm?destnumber=201&token=" + token, UriKind.Relative));
        Assert.Contains("frame-ancestors 'none'", popup.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("DENY", popup.Headers.GetValues("X-Frame-Options").Single());
    }
}
