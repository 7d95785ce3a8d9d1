using System.Diagnostics;

namespace Switchboard.Storage.Tests.Engines;

/// <summary>
/// Stops a server the test run started once the test process is gone, however it went. The servers are also stopped from
/// <see cref="AppDomain.ProcessExit"/>, but the test host is often ended before that handler runs (vstest kills it when
/// the run is over), and the servers were left running under init. A small <c>sh</c> outlives the host for exactly this:
/// it polls the host's PID once a second and, when it is gone, signals the server by PID, then kills it if it has not
/// stopped within ten seconds, and removes its folder.
/// </summary>
/// <remarks>
/// The server is signalled only while <c>/proc/PID/comm</c> still names it, so a PID reused by another process after a
/// clean stop is never touched. The watch is bounded (<see cref="MaxWatch"/>), like every loop here.
/// </remarks>
public static class OrphanWatchdog
{
    /// <summary>Longer than any test run (CI's limit is an hour).</summary>
    public static readonly TimeSpan MaxWatch = TimeSpan.FromHours(3);

    /// <summary>
    /// Watches <paramref name="hostPid"/> (the test process unless told) and stops <paramref name="serverPid"/> (whose
    /// process name is <paramref name="serverName"/>) with <paramref name="signal"/> when the host is gone.
    /// </summary>
    public static Process Watch(int serverPid, string serverName, string signal, string? folder, int? hostPid = null)
    {
        var host = hostPid ?? Environment.ProcessId;
        var seconds = (int)MaxWatch.TotalSeconds;
        var script = $$"""
            host={{host}}; server={{serverPid}}; name='{{serverName}}'; folder='{{folder ?? ""}}'
            named() { [ "$(cat /proc/$server/comm 2>/dev/null)" = "$name" ]; }
            i=0
            while [ $i -lt {{seconds}} ] && kill -0 $host 2>/dev/null; do sleep 1; i=$((i+1)); done
            if named; then kill -{{signal}} $server 2>/dev/null; fi
            i=0
            while [ $i -lt 10 ] && named; do sleep 1; i=$((i+1)); done
            if named; then kill -KILL $server 2>/dev/null; fi
            if [ -n "$folder" ]; then rm -rf "$folder"; fi
            """;
        var info = new ProcessStartInfo("sh")
        {
            UseShellExecute = false,
            // Not the host's own stdout: a watchdog holding the test runner's pipe open would keep the run from ending.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        var watchdog = Process.Start(info) ?? throw new InvalidOperationException("sh could not be started for the orphan watchdog.");
        watchdog.StandardInput.Close();
        return watchdog;
    }
}
