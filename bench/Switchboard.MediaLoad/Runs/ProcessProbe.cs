using System.Globalization;
using Switchboard.MediaLoad.Native;

namespace Switchboard.MediaLoad.Runs;

/// <summary>
/// A relay process as /proc shows it: CPU (utime + stime), resident memory and thread count. Of the resident memory,
/// the anonymous part (RssAnon: the GC heap, native allocations, stacks) is what calls can grow; the file-backed part
/// is code and mapped assemblies, paged in once.
/// </summary>
internal readonly record struct ProcessSample(double CpuMs, long RssKb, long RssAnonKb, int Threads)
{
    private static readonly long TicksPerSecond = Libc.ClockTicksPerSecond();

    public static ProcessSample Read(int pid)
    {
        // /proc/PID/stat: the command name (field 2) is in parentheses and may hold spaces; count fields after ")".
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        long rss = 0;
        long anonymous = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line.AsSpan(6));
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anonymous = Kilobytes(line.AsSpan(8));
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return new ProcessSample(ticks * 1000.0 / TicksPerSecond, rss, anonymous, threads);
    }

    /// <summary>The 1-minute load average (/proc/loadavg), as text.</summary>
    public static string LoadAverage()
    {
        var parts = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ') : [];
        return parts.Length >= 1 ? parts[0] : "?";
    }

    private static long Kilobytes(ReadOnlySpan<char> value) => long.Parse(value.Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
}
