using System.Globalization;

namespace Switchboard.SipLoad;

/// <summary>
/// CPU time of processes from Linux's <c>/proc/PID/stat</c> (proc(5)): utime + stime of a process, or the
/// cutime + cstime of this process's children that have exited and been waited for. Clock ticks are
/// sysconf(_SC_CLK_TCK), 100 on every Linux build this runs on.
/// </summary>
internal static class ProcCpu
{
    private const double TicksPerSecond = 100;
    private const int PpidField = 1;
    private const int UtimeField = 11;
    private const int ChildrenUtimeField = 13;

    /// <summary>User + system CPU of the processes still alive (a process that has gone counts as zero).</summary>
    public static TimeSpan Of(IEnumerable<int> pids)
    {
        var ticks = 0L;
        foreach (var pid in pids)
        {
            if (TryReadFields(pid.ToString(CultureInfo.InvariantCulture), out var fields))
            {
                ticks += Ticks(fields, UtimeField) + Ticks(fields, UtimeField + 1);
            }
        }

        return FromTicks(ticks);
    }

    /// <summary>User + system CPU of this process's children that have exited and been reaped (SIPp runs that ended).</summary>
    public static TimeSpan OfExitedChildren() =>
        TryReadFields("self", out var fields) ? FromTicks(Ticks(fields, ChildrenUtimeField) + Ticks(fields, ChildrenUtimeField + 1)) : TimeSpan.Zero;

    /// <summary><paramref name="pid"/> and its direct children (Kamailio forks its workers from the main process).</summary>
    public static IReadOnlyList<int> WithChildren(int pid)
    {
        var pids = new List<int> { pid };
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var child) && child != pid
                && TryReadFields(name, out var fields) && Ticks(fields, PpidField) == pid)
            {
                pids.Add(child);
            }
        }

        return pids;
    }

    /// <summary>The fields after "(comm)" (which may itself hold spaces and parentheses): index 0 is the state.</summary>
    private static bool TryReadFields(string pid, out string[] fields)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var close = text.LastIndexOf(')');
            fields = close < 0 ? [] : text[(close + 2)..].Split(' ');
            return fields.Length > ChildrenUtimeField + 1;
        }
        catch (IOException)
        {
            fields = [];
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            fields = [];
            return false;
        }
    }

    private static long Ticks(string[] fields, int index) =>
        long.TryParse(fields[index], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static TimeSpan FromTicks(long ticks) => TimeSpan.FromSeconds(ticks / TicksPerSecond);
}
