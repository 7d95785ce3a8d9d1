using Switchboard.Server.Hosting;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

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
    public async Task Every_verb_has_help()
    {
        foreach (var verb in new[] { new[] { "serve" }, ["domain", "add"], ["extension", "add"], ["extension", "set-password"], ["link", "make"] })
        {
            var help = await RunAsync([.. verb, "--help"]);
            Assert.Equal(0, help.ExitCode);
            Assert.Contains("Usage:", help.Output, StringComparison.Ordinal);
        }
    }
}
