using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;

namespace Switchboard.Server.Tests;

/// <summary><c>GET /api/admin/calls</c> on a real server: who may read, and the filters on the wire.</summary>
public sealed class AdminApiTests : IClassFixture<ServerFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
    private readonly ServerFixture _server;

    public AdminApiTests(ServerFixture server) => _server = server;

    public async Task InitializeAsync()
    {
        var records = _server.Host.Services.GetRequiredService<ICallRecordStore>();
        if ((await records.QueryAsync(new CallRecordQuery { Domain = "demo.local" })).Count > 0)
        {
            return;
        }

        await _server.Host.Admin.CreateDomainAsync("other.example");
        await _server.Host.Admin.CreateExtensionAsync("other.example", "100", "Other", ServerFixture.Password, "sip");
        await _server.Host.Admin.SetRoleAsync("demo.local", "100", ExtensionRole.Admin);
        await _server.Host.Admin.SetRoleAsync("other.example", "100", ExtensionRole.Admin);
        await records.AddAsync(new CallRecord("a1", "demo.local", "100@demo.local", "101", "web", "extension",
            Start, Start.AddSeconds(2), Start.AddSeconds(62), "hangup", "caller", "12#") { DigitLog = "1:120 2:100 #:110" });
        await records.AddAsync(new CallRecord("a2", "demo.local", "101@demo.local", "*43", "sip", "service:echo",
            Start.AddHours(1), Start.AddHours(1), Start.AddHours(1).AddSeconds(5), "hangup", "caller", null));
        await records.AddAsync(new CallRecord("a3", "demo.local", "100@demo.local", "102", "web", "none",
            Start.AddHours(2), null, Start.AddHours(2), "not_found", "pbx", null));
        await records.AddAsync(new CallRecord("b1", "other.example", "100@other.example", "101", "web", "extension",
            Start.AddHours(3), null, Start.AddHours(3).AddSeconds(30), "no_answer", "pbx", null));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<HttpClient> LoggedInAsync(string account)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = _server.Host.HttpUrl };
        var login = await client.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account, password = ServerFixture.Password, remember = true });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return client;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync(new Uri("api/admin/calls" + query, UriKind.Relative));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    private static string[] Ids(JsonElement body) => [.. body.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("callId").GetString()!)];

    [Fact]
    public async Task Without_a_session_it_is_401_and_for_a_user_403()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.Host.HttpUrl };
        var (status, body) = await GetAsync(anonymous, "");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("not_authenticated", body.GetProperty("error").GetString());

        using var user = await LoggedInAsync("101@demo.local");
        (status, body) = await GetAsync(user, "");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("not_admin", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_admin_sees_only_its_own_domain_with_iso_times_and_seconds()
    {
        using var admin = await LoggedInAsync("100@demo.local");
        var (status, body) = await GetAsync(admin, "");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["a3", "a2", "a1"], Ids(body));
        var first = body.GetProperty("calls")[2];
        Assert.Equal("2026-11-26T09:00:00+00:00", first.GetProperty("startedAt").GetString());
        Assert.Equal(60, first.GetProperty("durationSeconds").GetDouble());
        Assert.Equal("101", first.GetProperty("to").GetString());
        Assert.Equal("12#", first.GetProperty("digits").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("calls")[0].GetProperty("answeredAt").ValueKind);

        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(admin, "?domain=other.example")).Status);
        using var other = await LoggedInAsync("100@other.example");
        Assert.Equal(["b1"], Ids((await GetAsync(other, "")).Body));
    }

    [Fact]
    public async Task Filters_and_the_before_cursor_reach_the_store()
    {
        using var admin = await LoggedInAsync("100@demo.local");
        Assert.Equal(["a3", "a1"], Ids((await GetAsync(admin, "?from=100")).Body));
        Assert.Equal(["a2"], Ids((await GetAsync(admin, "?to=*43")).Body));
        Assert.Equal(["a2"], Ids((await GetAsync(admin, "?route=service:")).Body));
        Assert.Equal(["a3"], Ids((await GetAsync(admin, "?reason=not_found")).Body));
        Assert.Equal(["a2"], Ids((await GetAsync(admin, "?since=2026-11-26T09:30&until=2026-11-26T10:30:00Z")).Body));

        var page = (await GetAsync(admin, "?limit=2")).Body;
        Assert.Equal(["a3", "a2"], Ids(page));
        var before = page.GetProperty("before").GetString()!;
        var next = (await GetAsync(admin, "?limit=2&before=" + Uri.EscapeDataString(before))).Body;
        Assert.Equal(["a1"], Ids(next));
        Assert.Equal(JsonValueKind.Null, next.GetProperty("before").ValueKind);

        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(admin, "?since=yesterday")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(admin, "?limit=1001")).Status);
    }
}
