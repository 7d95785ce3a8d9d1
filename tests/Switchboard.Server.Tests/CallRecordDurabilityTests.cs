using Switchboard.Server.Hosting;
using Switchboard.Storage;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Server.Tests;

/// <summary>
/// The call record writer's promise (docs/call-records.md, "Durability") against the real server process and real
/// SIP calls: a clean stop loses nothing; a <c>kill -9</c> loses at most the records of the last flush interval.
/// </summary>
public sealed class CallRecordDurabilityTests : IDisposable
{
    private const string SipPassword = "sip-secret-7";
    private readonly TempDataFolder _data = new("sb-durable-");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Kill_9_after_the_flush_interval_loses_no_record()
    {
        await using var server = await StartAndCallAsync("46000-46099", flushMs: 200, calls: 5);

        // Longer than the interval (200 ms) plus a commit on a busy machine: every batch has committed by now.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await server.KillAsync();

        var records = await ReadRecordsAsync();
        Assert.Equal(5, records.Count);
        Assert.All(records, r => Assert.Equal("service:echo", r.Route));
    }

    [Fact]
    public async Task A_clean_stop_writes_the_records_still_waiting_for_their_batch()
    {
        // A minute-long interval: the calls' records are still queued when the stop comes.
        await using var server = await StartAndCallAsync("46100-46199", flushMs: 60_000, calls: 3);
        Assert.Empty(await ReadRecordsAsync());

        await server.TerminateAsync();

        Assert.True(server.ExitCode == 0, server.Output);
        var records = await ReadRecordsAsync();
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal("hangup", r.Reason));
    }

    /// <summary>Extension 200@example.com, the server on it, and <paramref name="calls"/> SIPp calls to the echo test, all answered and ended.</summary>
    private async Task<ServerProcess> StartAndCallAsync(string mediaPorts, int flushMs, int calls)
    {
        await SeedAsync();
        var server = await ServerProcess.StartAsync(_data.Path, "example.com", mediaPorts, "--record-flush", flushMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            var sipp = await SippCaller.CallAsync(server.SipPort, "*43", SipPassword, calls, _data.Path);
            Assert.True(sipp.ExitCode == 0, $"SIPp: {sipp.Output}\nPBX: {server.Output}");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task SeedAsync()
    {
        using var data = await DataFolder.OpenAsync(_data.Path);
        await using var directory = data.Directory(TimeProvider.System);
        await directory.CreateDomainAsync("example.com");
        await directory.CreateExtensionAsync(new Pbx.Directory.NewExtension("example.com", "200", "Carol", "web-secret-7", SipPassword));
    }

    private async Task<IReadOnlyList<Pbx.Calls.CallRecord>> ReadRecordsAsync() =>
        await new SqlCallRecordStore(new SqliteDatabase(Path.Combine(_data.Path, "switchboard.db"))).ListAsync(100);
}
