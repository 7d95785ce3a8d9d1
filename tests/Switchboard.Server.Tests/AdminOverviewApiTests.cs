using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.Pbx.Directory;

namespace Switchboard.Server.Tests;

/// <summary>
/// <c>GET /api/admin/overview</c> on a real server (docs/admin.md, "Overview"): admins only, a GET without the CSRF
/// token, calls and registrations counted in the admin's own domain, and this node's figures for a system admin only.
/// </summary>
public sealed class AdminOverviewApiTests : IAsyncLifetime, IDisposable
{
    private const string Password = "overview-secret";
    private readonly TempDataFolder _data = new("sb-overview-");
    private PbxHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await PbxHost.StartAsync(TestHostOptions.For(_data.Path));
        var admin = _host.Admin;
        await admin.CreateDomainAsync("example.com");
        await admin.CreateDomainAsync("other.example");
        foreach (var (domain, number) in new[] { ("example.com", "100"), ("example.com", "101"), ("example.com", "200"), ("example.com", "900"), ("other.example", "100") })
        {
            await admin.CreateExtensionAsync(domain, number, number, Password, Password);
        }

        await admin.SetRoleAsync("example.com", "100", ExtensionRole.Admin);
        await admin.SetRoleAsync("other.example", "100", ExtensionRole.Admin);
        await admin.SetRoleAsync("example.com", "900", ExtensionRole.SystemAdmin);
    }

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    /// <summary>After <see cref="DisposeAsync"/> (xunit's order): the folder goes once the server has let go of it.</summary>
    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Only_admins_get_it_401_without_a_session_403_for_a_user()
    {
        using var anonymous = new HttpClient { BaseAddress = _host.HttpUrl };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("api/admin/overview", UriKind.Relative))).StatusCode);
        using var user = await LoggedInAsync("101@example.com");
        var refused = await user.GetAsync(new Uri("api/admin/overview", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("not_admin", (await JsonAsync(refused)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_call_up_counts_in_its_domain_only_and_the_node_figures_go_to_the_system_admin_only()
    {
        using var admin = await LoggedInAsync("100@example.com");
        using var other = await LoggedInAsync("100@other.example");
        using var system = await LoggedInAsync("900@example.com");

        // A GET carries no CSRF token: the portal polls it as it polls the live calls.
        var empty = await OverviewAsync(admin);
        Assert.Equal("example.com", empty.GetProperty("domain").GetString());
        Assert.Equal(0, empty.GetProperty("callsUp").GetInt32());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("node").ValueKind);
        var foreign = await admin.GetAsync(new Uri("api/admin/overview?domain=other.example", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal("other_domain", (await JsonAsync(foreign)).GetProperty("error").GetString());

        // 200@example.com calls the echo test and stays on the line.
        using var sipp = SippCaller.StartHeld(_host.SipUdpPort!.Value, "*43", Password, 1, TimeSpan.FromSeconds(60), _data.Path);
        try
        {
            var mine = await PollAsync(admin, o => o.GetProperty("callsUp").GetInt32() == 1);
            Assert.Equal(1, mine.GetProperty("callsUp").GetInt32());
            Assert.Equal(JsonValueKind.Null, mine.GetProperty("node").ValueKind);
            Assert.Equal(0, (await OverviewAsync(other)).GetProperty("callsUp").GetInt32());

            var all = await OverviewAsync(system);
            Assert.Equal(JsonValueKind.Null, all.GetProperty("domain").ValueKind);
            Assert.Equal(1, all.GetProperty("callsUp").GetInt32());
            var node = all.GetProperty("node");
            Assert.Equal(1, node.GetProperty("callsUp").GetInt32());
            Assert.Equal(1, node.GetProperty("callsStarted").GetInt64());
            Assert.Equal(1, node.GetProperty("callsLastMinute").GetInt32());
            Assert.Equal(0, node.GetProperty("authFailures").GetInt64());
            Assert.Equal(0, node.GetProperty("lockouts").GetInt64());
            Assert.Equal(0, node.GetProperty("policyDenials").GetInt64());
            Assert.Equal(0, (await OverviewAsync(system, "?domain=other.example")).GetProperty("callsUp").GetInt32());
        }
        finally
        {
            Stop(sipp);
        }
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }
    }

    private static async Task<JsonElement> PollAsync(HttpClient client, Func<JsonElement, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var overview = await OverviewAsync(client);
            if (done(overview) || DateTimeOffset.UtcNow > deadline)
            {
                return overview;
            }

            await Task.Delay(200);
        }
    }

    private static async Task<JsonElement> OverviewAsync(HttpClient client, string query = "")
    {
        var response = await client.GetAsync(new Uri("api/admin/overview" + query, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonAsync(response);
    }

    private async Task<HttpClient> LoggedInAsync(string account)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = _host.HttpUrl };
        var login = await http.PostAsJsonAsync(new Uri("api/login", UriKind.Relative), new { account, password = Password, remember = true });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return http;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
