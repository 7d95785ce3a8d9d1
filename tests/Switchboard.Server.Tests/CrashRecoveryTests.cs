using System.Diagnostics;
using System.Globalization;
using Switchboard.Pbx.Calls;
using Switchboard.Server.Hosting;
using Switchboard.Storage;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Server.Tests;

/// <summary>
/// Issue 14, part 2, against the real server process: <c>kill -9</c> while calls are up, start again on the same data
/// folder, and every call that was up has exactly one record, <c>interrupted</c> by <c>pbx</c>, with its answer time
/// (docs/call-records.md, "Calls up when the PBX dies"). The calls are SIPp phones: one calls the echo test, another
/// calls extension 300, a SIPp phone registered to the PBX that answers at once.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private const string CallerPassword = "sip-secret-7";
    private const string CalleePassword = "sip-secret-8";
    private static readonly TimeSpan Held = TimeSpan.FromMinutes(10);
    private readonly TempDataFolder _data = new("sb-crash-");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Calls_up_at_a_kill_9_are_recorded_as_interrupted_at_the_next_start_and_nothing_else_is_lost()
    {
        await SeedAsync();
        var database = new SqliteDatabase(Path.Combine(_data.Path, "switchboard.db"));
        await using (var server = await ServerProcess.StartAsync(_data.Path, "example.com", "46200-46299", "--record-flush", "200"))
        {
            var finished = await SippCaller.CallAsync(server.SipPort, "*43", CallerPassword, 2, _data.Path);
            Assert.True(finished.ExitCode == 0, $"SIPp: {finished.Output}\nPBX: {server.Output}");

            using var phone = await SippPhone.StartAsync(server.SipPort, "example.com", "300", CalleePassword, _data.Path);
            using var toEcho = SippCaller.StartHeld(server.SipPort, "*43", CallerPassword, 2, Held, _data.Path);
            using var toPhone = SippCaller.StartHeld(server.SipPort, "300", CallerPassword, 1, Held, _data.Path);
            try
            {
                await WaitForRowsAsync(database, "SELECT count(*) FROM live_calls WHERE answered_at IS NOT NULL;", 3, "calls answered and marked", server);
                await server.KillAsync();
            }
            finally
            {
                Stop(toEcho);
                Stop(toPhone);
            }
        }

        var records = await new SqlCallRecordStore(database).ListAsync(100);
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal("hangup", r.Reason));

        await using (var restarted = await ServerProcess.StartAsync(_data.Path, "example.com", "46200-46299"))
        {
            records = await new SqlCallRecordStore(database).ListAsync(100);
            var interrupted = records.Where(r => r.Reason == CallEndReason.Interrupted.ToCode()).ToList();
            Assert.Equal(3, interrupted.Count);
            Assert.Equal(5, records.Select(r => r.CallId).Distinct().Count());
            Assert.Equal(2, records.Count(r => r.Reason == "hangup"));
            Assert.Equal(["300", "*43", "*43"], interrupted.Select(r => r.Destination).OrderDescending());
            Assert.All(interrupted, r =>
            {
                Assert.Equal("pbx", r.EndedBy);
                Assert.NotNull(r.AnsweredAt);
                Assert.InRange(r.AnsweredAt.Value, r.StartedAt, r.EndedAt);
            });
            Assert.Contains("recorded as interrupted", restarted.Output, StringComparison.Ordinal);

            // The restarted PBX takes calls, and a clean stop leaves no marker for the next start.
            var after = await SippCaller.CallAsync(restarted.SipPort, "*43", CallerPassword, 1, _data.Path);
            Assert.True(after.ExitCode == 0, $"SIPp: {after.Output}\nPBX: {restarted.Output}");
            await restarted.TerminateAsync();
        }

        Assert.Equal(0, await InterruptedCalls.RecordAsync(database));
        Assert.Equal(6, (await new SqlCallRecordStore(database).ListAsync(100)).Count);
    }

    [Fact]
    public async Task A_phone_registered_before_a_kill_9_is_called_after_the_restart_without_registering_again()
    {
        await SeedAsync();
        var database = new SqliteDatabase(Path.Combine(_data.Path, "switchboard.db"));
        SippPhone? phone = null;
        try
        {
            await using (var server = await ServerProcess.StartAsync(_data.Path, "example.com", "46300-46399"))
            {
                phone = await SippPhone.StartAsync(server.SipPort, "example.com", "300", CalleePassword, _data.Path);
                await WaitForRowsAsync(database, "SELECT count(*) FROM registrations;", 1, "registrations stored", server);
                await server.KillAsync();
            }

            // Another SIP port this time: the stored binding is the phone's address, sent to from this process's socket.
            await using var restarted = await ServerProcess.StartAsync(_data.Path, "example.com", "46300-46399");
            var call = await SippCaller.CallAsync(restarted.SipPort, "300", CallerPassword, 1, _data.Path);
            Assert.True(call.ExitCode == 0, $"SIPp: {call.Output}\nPBX: {restarted.Output}");
            Assert.Contains("Restored 1 of 1 stored UDP registrations", restarted.Output, StringComparison.Ordinal);
        }
        finally
        {
            phone?.Dispose();
        }
    }

    /// <summary>What a crash leaves is what has committed: waits until <paramref name="countSql"/> counts <paramref name="expected"/> rows.</summary>
    private static async Task WaitForRowsAsync(SqliteDatabase database, string countSql, int expected, string what, ServerProcess server)
    {
        var deadline = Stopwatch.StartNew();
        long found = 0;
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await using (var c = await database.OpenAsync())
            {
                using var cmd = c.CreateCommand();
                cmd.CommandText = countSql;
                found = Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            }

            if (found >= expected)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        Assert.Fail($"{found} of {expected} {what} within 30 s.\nPBX: {server.Output}");
    }

    /// <summary>The PBX is gone; the phones still hold their calls. Killed by their PIDs.</summary>
    private static void Stop(Process sipp)
    {
        if (!sipp.HasExited)
        {
            sipp.Kill();
            sipp.WaitForExit(TimeSpan.FromSeconds(10));
        }
    }

    private async Task SeedAsync()
    {
        using var data = await DataFolder.OpenAsync(_data.Path);
        await using var directory = data.Directory(TimeProvider.System);
        await directory.CreateDomainAsync("example.com");
        await directory.CreateExtensionAsync(new Pbx.Directory.NewExtension("example.com", "200", "Carol", "web-secret-7", CallerPassword));
        await directory.CreateExtensionAsync(new Pbx.Directory.NewExtension("example.com", "300", "Dave", "web-secret-8", CalleePassword));
    }
}
