using System.Diagnostics;
using Xunit;

namespace Switchboard.Storage.Tests.Engines;

/// <summary>
/// The watchdog with stand-ins for both processes: a <c>sleep</c> as the "test host" and another as the "server", so the
/// host can be killed here without ending this run.
/// </summary>
public sealed class OrphanWatchdogTests
{
    [Fact]
    public async Task Host_gone_stops_the_server_and_removes_its_folder()
    {
        using var host = Sleep();
        using var server = Sleep();
        var folder = Directory.CreateTempSubdirectory("sb-watchdog-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "data"), "x");
        using var watchdog = OrphanWatchdog.Watch(server.Id, "sleep", "TERM", folder, host.Id);
        try
        {
            // While the host lives, the server is left alone.
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            Assert.False(server.HasExited);
            Assert.True(Directory.Exists(folder));

            host.Kill();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await server.WaitForExitAsync(timeout.Token);
            await watchdog.WaitForExitAsync(timeout.Token);
            Assert.False(Directory.Exists(folder));
        }
        finally
        {
            Kill(host);
            Kill(server);
            Kill(watchdog);
        }
    }

    [Fact]
    public async Task A_pid_now_naming_another_program_is_not_signalled()
    {
        using var host = Sleep();
        using var other = Sleep();
        // The watched PID is this process's name "sleep" no more: told to expect redis-server, the watchdog must not kill it.
        using var watchdog = OrphanWatchdog.Watch(other.Id, "redis-server", "KILL", folder: null, host.Id);
        try
        {
            host.Kill();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await watchdog.WaitForExitAsync(timeout.Token);
            Assert.False(other.HasExited);
        }
        finally
        {
            Kill(host);
            Kill(other);
            Kill(watchdog);
        }
    }

    private static Process Sleep()
    {
        var info = new ProcessStartInfo("sleep") { UseShellExecute = false, RedirectStandardOutput = true };
        info.ArgumentList.Add("300");
        return Process.Start(info)!;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}
