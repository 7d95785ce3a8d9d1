using System.Globalization;
using System.Runtime.InteropServices;

namespace Switchboard.Server.Hosting;

/// <summary>
/// <c>switchboard.pid</c> in the data folder: which process serves it, so <c>switchboard node drain</c> can signal that
/// process (SIGUSR1: Unix's own check that the caller may, as nginx and HAProxy do their graceful stops). Written when
/// <c>serve</c> runs, removed when it ends; a stale file left by a crash names a process that is gone or is not ours.
/// </summary>
public static class NodePidFile
{
    /// <summary>SIGUSR1 on Linux: "drain".</summary>
    public const int DrainSignal = 10;

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, "switchboard.pid");

    /// <summary>Writes this process's PID; dispose the result to remove the file again.</summary>
    public static IDisposable Write(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        File.WriteAllText(path, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return new Removal(path);
    }

    /// <summary>The serving process of <paramref name="dataDirectory"/>, or why there is none.</summary>
    public static bool TryFindServer(string dataDirectory, out int pid, out string problem)
    {
        pid = 0;
        var path = PathIn(dataDirectory);
        if (!File.Exists(path))
        {
            problem = $"No Switchboard is serving {dataDirectory} ({path} does not exist).";
            return false;
        }

        if (!int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out pid) || pid <= 1)
        {
            problem = $"{path} does not hold a process id.";
            return false;
        }

        // A PID is reused after a crash: the process must still be a Switchboard server.
        var cmdline = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline";
        if (!File.Exists(cmdline) || !File.ReadAllText(cmdline).Contains("Switchboard.Server", StringComparison.OrdinalIgnoreCase))
        {
            problem = $"Process {pid} of {path} is not running Switchboard (a stale file from a crash?).";
            return false;
        }

        problem = "";
        return true;
    }

    /// <summary>Sends the drain signal; false with errno's text when the kernel refuses (another user's process).</summary>
    public static bool TrySignalDrain(int pid, out string problem)
    {
        if (kill(pid, DrainSignal) == 0)
        {
            problem = "";
            return true;
        }

        problem = $"kill({pid}, SIGUSR1) failed: {Marshal.GetLastPInvokeErrorMessage()}";
        return false;
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int kill(int pid, int signal);

    private sealed class Removal(string path) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Gone already, or the folder went read-only: a stale file is checked by its reader anyway.
            }
        }
    }
}
