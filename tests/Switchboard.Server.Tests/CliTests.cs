using Switchboard.Server.Hosting;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Server.Tests;

/// <summary>The CLI verbs, run as a user runs them: the real executable against a fresh data folder.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("sb-cli-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Switchboard.Server.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(_data);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Store_puts_the_verbs_on_postgresql_and_without_it_they_use_the_sqlite_file()
    {
        var store = await PostgresCluster.CreateDatabaseAsync("sb_cli");

        Assert.Equal(0, (await RunAsync("domain", "add", "example.com", "--store", store)).ExitCode);
        var add = await RunAsync("extension", "add", "200@example.com", "--name", "Carol", "--store", store);
        Assert.True(add.ExitCode == 0, add.Error);

        Assert.Contains("200@example.com\tCarol", (await RunAsync("extension", "list", "--store", store)).Output, StringComparison.Ordinal);
        Assert.DoesNotContain("200@example.com", (await RunAsync("extension", "list")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Domains_extensions_passwords_and_a_signed_link_that_the_server_accepts()
    {
        Assert.Equal(0, (await RunAsync("domain", "add", "example.com")).ExitCode);
        Assert.Equal(1, (await RunAsync("domain", "add", "example.com")).ExitCode);
        var add = await RunAsync("extension", "add", "200@example.com", "--name", "Carol", "--web-password", "first", "--sip-password", "sip-secret");
        Assert.Equal(0, add.ExitCode);
        Assert.Equal(0, (await RunAsync("extension", "set-password", "200@example.com", "--web", "second")).ExitCode);
        Assert.Equal(1, (await RunAsync("extension", "set-password", "201@example.com", "--web", "x")).ExitCode);

        var list = await RunAsync("extension", "list");
        Assert.Contains("200@example.com\tCarol", list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("second", list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("sip-secret", list.Output, StringComparison.Ordinal);

        var link = await RunAsync("link", "make", "--account", "200@example.com", "--destination", "100", "--duration", "600",
            "--base-url", "http://127.0.0.1/");
        Assert.Equal(0, link.ExitCode);
        var lines = link.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var url = new Uri(lines[0]);
        Assert.StartsWith("<div style=\"cursor:pointer;\" onclick=\"window.open('http://127.0.0.1/makecall.htm?destnumber=100&", lines[1], StringComparison.Ordinal);

        // The server on the same data folder accepts the link: made with the new web password.
        await using var host = await PbxHost.StartAsync(new PbxHostOptions { DataDirectory = _data, HttpPort = 0, HttpsPort = 0, Sip = SipHostOptions.Ephemeral, SeedDemo = false, DefaultDomain = "example.com" });
        using var client = new HttpClient { BaseAddress = host.HttpUrl };
        var reply = await SignedLinks.PostAsync(client, url);
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
    }

    [Fact]
    public async Task Api_keys_are_shown_once_listed_without_their_secret_and_revoked_and_the_server_honours_that()
    {
        Assert.Equal(0, (await RunAsync("domain", "add", "example.com")).ExitCode);
        Assert.Equal(0, (await RunAsync("extension", "add", "200@example.com", "--name", "Web visitor")).ExitCode);
        Assert.Equal(1, (await RunAsync("apikey", "create", "--domain", "example.com", "--caller", "299")).ExitCode);

        var create = await RunAsync("apikey", "create", "--domain", "example.com", "--caller", "200", "--label", "shop");
        Assert.True(create.ExitCode == 0, create.Error);
        var key = create.Output.Trim();
        Assert.True(Pbx.Tokens.ApiKeySecret.TryParse(key, out var keyId), key);

        var list = (await RunAsync("apikey", "list")).Output;
        Assert.Contains(keyId + "\texample.com\t200\tshop\t", list, StringComparison.Ordinal);
        Assert.Contains("active", list, StringComparison.Ordinal);
        Assert.DoesNotContain(key, list, StringComparison.Ordinal);

        async Task<HttpStatusCode> MintAsync()
        {
            await using var host = await PbxHost.StartAsync(new PbxHostOptions { DataDirectory = _data, HttpPort = 0, HttpsPort = 0, Sip = SipHostOptions.Ephemeral, SeedDemo = false, DefaultDomain = "example.com" });
            using var client = new HttpClient { BaseAddress = host.HttpUrl };
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/tokens", UriKind.Relative)) { Content = JsonContent.Create(new { destination = "200" }) };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await MintAsync());
        Assert.Equal(0, (await RunAsync("apikey", "revoke", keyId)).ExitCode);
        Assert.Equal(1, (await RunAsync("apikey", "revoke", keyId)).ExitCode);
        Assert.Contains("revoked", (await RunAsync("apikey", "list", "--domain", "example.com")).Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await MintAsync());
    }

    [Fact]
    public async Task Domain_origins_are_kept_normalized_and_anything_but_an_origin_is_refused()
    {
        Assert.Equal(0, (await RunAsync("domain", "add", "example.com")).ExitCode);
        Assert.Equal(0, (await RunAsync("domain", "origins", "add", "example.com", "HTTPS://Shop.Example:443/")).ExitCode);
        Assert.Equal(0, (await RunAsync("domain", "origins", "add", "example.com", "http://127.0.0.1:8081")).ExitCode);
        Assert.Equal(1, (await RunAsync("domain", "origins", "add", "example.com", "https://shop.example/cart")).ExitCode);
        Assert.Equal(1, (await RunAsync("domain", "origins", "add", "example.com", "ftp://shop.example")).ExitCode);
        Assert.Equal(1, (await RunAsync("domain", "origins", "add", "nowhere.example", "https://shop.example")).ExitCode);

        Assert.Equal(["http://127.0.0.1:8081", "https://shop.example"],
            (await RunAsync("domain", "origins", "list", "example.com")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(0, (await RunAsync("domain", "origins", "remove", "example.com", "https://shop.example")).ExitCode);
        Assert.Equal(1, (await RunAsync("domain", "origins", "remove", "example.com", "https://shop.example")).ExitCode);
        Assert.Equal("http://127.0.0.1:8081", (await RunAsync("domain", "origins", "list", "example.com")).Output.Trim());
    }

    [Fact]
    public async Task Set_role_and_calls_list_as_a_table_and_as_json()
    {
        Assert.Equal(0, (await RunAsync("domain", "add", "example.com")).ExitCode);
        Assert.Equal(0, (await RunAsync("extension", "add", "200@example.com", "--name", "Carol")).ExitCode);
        Assert.Equal(0, (await RunAsync("extension", "set-role", "200@example.com", "--role", "admin")).ExitCode);
        Assert.Equal(1, (await RunAsync("extension", "set-role", "201@example.com", "--role", "admin")).ExitCode);
        Assert.Contains("200@example.com\tCarol\tadmin", (await RunAsync("extension", "list")).Output, StringComparison.Ordinal);

        var start = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
        using (var data = await DataFolder.OpenAsync(_data))
        {
            var records = new Storage.SqlCallRecordStore(data.Database);
            await records.AddAsync(new Pbx.Calls.CallRecord("c1", "example.com", "200@example.com", "*44", "web", "service:dtmf",
                start, start.AddSeconds(1), start.AddSeconds(43), "hangup", "caller", "12#"));
            await records.AddAsync(new Pbx.Calls.CallRecord("c2", "other.example", "300@other.example", "301", "sip", "extension",
                start.AddDays(-1), null, start.AddDays(-1), "busy", "callee", null));
        }

        var table = await RunAsync("calls", "list");
        Assert.Equal(0, table.ExitCode);
        var lines = table.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("time (UTC)", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^2026-11-26 09:00:00\s+200@example.com\s+\*44\s+service:dtmf\s+hangup\s+caller\s+42s\s+12#$", lines[1]);
        Assert.Contains("busy", lines[2], StringComparison.Ordinal);

        var since = await RunAsync("calls", "list", "--since", "2026-11-26T00:00", "--json");
        Assert.Equal(0, since.ExitCode);
        var json = System.Text.Json.JsonDocument.Parse(since.Output).RootElement;
        var only = Assert.Single(json.EnumerateArray());
        Assert.Equal("c1", only.GetProperty("callId").GetString());
        Assert.Equal(42, only.GetProperty("durationSeconds").GetDouble());

        var domain = await RunAsync("calls", "list", "--domain", "other.example", "--limit", "1");
        Assert.Contains("300@other.example", domain.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("200@example.com", domain.Output, StringComparison.Ordinal);
        Assert.Equal(1, (await RunAsync("calls", "list", "--since", "yesterday")).ExitCode);
    }

    [Fact]
    public async Task Serve_refuses_a_flood_exemption_that_is_neither_an_address_nor_a_network()
    {
        var bad = await RunAsync("serve", "--sip-flood-exempt", "192.0.2.7, 10.0.0.0/33");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--sip-flood-exempt", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_verb_has_help()
    {
        foreach (var verb in new[] { new[] { "serve" }, ["domain", "add"], ["extension", "add"], ["extension", "set-password"], ["extension", "set-role"], ["link", "make"], ["calls", "list"] })
        {
            var help = await RunAsync([.. verb, "--help"]);
            Assert.Equal(0, help.ExitCode);
            Assert.Contains("Usage:", help.Output, StringComparison.Ordinal);
        }
    }
}
