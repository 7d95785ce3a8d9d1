using System.Globalization;
using Switchboard.MediaLoad.Native;

namespace Switchboard.MediaLoad.Runs;

/// <summary>A relay process as /proc shows it: CPU (utime + stime), resident memory and thread count.</summary>
internal readonly record struct ProcessSample(double CpuMs, long RssKb, int Threads)
{
    private static readonly long TicksPerSecond = Libc.ClockTicksPerSecond();

    public static ProcessSample Read(int pid)
    {
        // /proc/PID/stat: the command name (field 2) is in parentheses and may hold spaces; count fields after ")".
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        long rss = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return new ProcessSample(ticks * 1000.0 / TicksPerSecond, rss, threads);
    }

    /// <summary>The 1-minute load average (/proc/loadavg), as text.</summary>
    public static string LoadAverage()
    {
        var parts = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ') : [];
        return parts.Length >= 1 ? parts[0] : "?";
    }
}
