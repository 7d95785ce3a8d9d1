using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Server.Hosting;
using Switchboard.Storage;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Server.Tests;

/// <summary>
/// Issue 12, part 5, against the real server process: <c>switchboard node drain</c> while a call is up. The node answers
/// new requests (a dispatcher's OPTIONS probe too) 503 with Retry-After, the call goes on to its own BYE, and then the
/// node stops by itself, cleanly (docs/scale-out.md, "Drain").
/// </summary>
public sealed class DrainTests : IDisposable
{
    private const string CallerPassword = "sip-secret-9";
    private static readonly TimeSpan Talk = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TempDataFolder _data = new("sb-drain-");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_draining_node_refuses_new_requests_keeps_its_call_and_stops_when_the_call_ends()
    {
        await SeedAsync();
        var database = new SqliteDatabase(Path.Combine(_data.Path, "switchboard.db"));
        await using var server = await ServerProcess.StartAsync(_data.Path, "example.com", "46400-46499");
        Assert.Equal(200, await OptionsStatusAsync(server.SipPort));

        using var held = SippCaller.StartHeld(server.SipPort, "*43", CallerPassword, 1, Talk, _data.Path);
        await WaitUntilAsync(async () => await CountAsync(database, "SELECT count(*) FROM live_calls WHERE answered_at IS NOT NULL;") == 1, "the call answered", server);

        var (code, output) = await CliAsync("node", "drain", "--data", _data.Path);
        Assert.True(code == 0, output);
        Assert.Contains("is draining", output, StringComparison.Ordinal);

        // Kamailio's dispatcher probes with OPTIONS: a 503 takes the node out of its set.
        var refusal = await OptionsReplyAsync(server.SipPort);
        Assert.StartsWith("SIP/2.0 503", refusal, StringComparison.Ordinal);
        Assert.Contains("Retry-After: 30", refusal, StringComparison.Ordinal);
        Assert.False(server.HasExited, "the node stopped with its call still up");

        // The call ends by its own BYE (answered: SIPp exits 0), then the node stops, with exit code 0, and removes its PID file.
        await held.WaitForExitAsync().WaitAsync(Bound);
        Assert.Equal(0, held.ExitCode);
        await server.WaitForExitAsync(Bound);
        Assert.True(server.ExitCode == 0, server.Output);
        Assert.False(File.Exists(NodePidFile.PathIn(_data.Path)));
        Assert.Contains("Drained: no call left, stopping", server.Output, StringComparison.Ordinal);

        var record = Assert.Single(await new SqlCallRecordStore(database).ListAsync(10));
        Assert.Equal("hangup", record.Reason);
        Assert.Equal("caller", record.EndedBy);
    }

    [Fact]
    public async Task Drain_without_a_running_node_says_so_and_fails()
    {
        var (code, output) = await CliAsync("node", "drain", "--data", _data.Path);
        Assert.Equal(1, code);
        Assert.Contains("No Switchboard is serving", output, StringComparison.Ordinal);
    }

    private static async Task<int> OptionsStatusAsync(int sipPort) =>
        int.Parse((await OptionsReplyAsync(sipPort)).AsSpan(8, 3), CultureInfo.InvariantCulture);

    private static async Task<string> OptionsReplyAsync(int sipPort)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var branch = "z9hG4bK" + Guid.NewGuid().ToString("N")[..10];
        var request = string.Join("\r\n",
            "OPTIONS sip:example.com SIP/2.0",
            $"Via: SIP/2.0/UDP 127.0.0.1:{((IPEndPoint)udp.Client.LocalEndPoint!).Port};branch={branch}",
            "Max-Forwards: 70",
            "From: <sip:dispatcher@example.com>;tag=d1",
            "To: <sip:example.com>",
            $"Call-ID: {branch}",
            "CSeq: 1 OPTIONS",
            "Content-Length: 0",
            "", "");
        await udp.SendAsync(Encoding.ASCII.GetBytes(request), new IPEndPoint(IPAddress.Loopback, sipPort));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return Encoding.ASCII.GetString((await udp.ReceiveAsync(cts.Token)).Buffer);
    }

    private static async Task<(int Code, string Output)> CliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ServerProcess.Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var cli = Process.Start(start)!;
        var output = cli.StandardOutput.ReadToEndAsync();
        var errors = cli.StandardError.ReadToEndAsync();
        await cli.WaitForExitAsync().WaitAsync(Bound);
        return (cli.ExitCode, await output + await errors);
    }

    private static async Task<long> CountAsync(SqliteDatabase database, string sql)
    {
        await using var c = await database.OpenAsync();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, ServerProcess server)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Bound)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        Assert.Fail($"Not {what} within {Bound.TotalSeconds} s.\nPBX: {server.Output}");
    }

    private async Task SeedAsync()
    {
        using var data = await DataFolder.OpenAsync(_data.Path);
        await using var directory = data.Directory(TimeProvider.System);
        await directory.CreateDomainAsync("example.com");
        await directory.CreateExtensionAsync(new Pbx.Directory.NewExtension("example.com", "200", "Carol", "web-secret-9", CallerPassword));
    }
}
