using System.Globalization;

namespace Switchboard.SipLoad;

/// <summary>
/// One process held to a share of a core by a control group of its own, so that nodes started on one machine each get
/// what a machine of that size would give (docs/benchmarks.md, "A second node"). cgroup v2 (<c>cpu.max</c>) where the
/// unified hierarchy has the cpu controller, else v1's cpu controller (<c>cpu.cfs_quota_us</c> over a 100 ms period).
/// Needs root. The group is removed once the process has exited.
/// </summary>
internal sealed class CpuQuota : IAsyncDisposable
{
    private const int PeriodUs = 100_000;
    private readonly string _group;

    private CpuQuota(string group, string kind)
    {
        _group = group;
        Kind = kind;
    }

    /// <summary>"cgroup v2" or "cgroup v1", for the report.</summary>
    public string Kind { get; }

    /// <summary>Moves <paramref name="pid"/> (all its threads, and what it starts later) into a new group allowed <paramref name="percentOfCore"/> % of one core.</summary>
    public static CpuQuota Apply(int pid, int percentOfCore, string name)
    {
        var quotaUs = (PeriodUs * percentOfCore / 100).ToString(CultureInfo.InvariantCulture);
        var period = PeriodUs.ToString(CultureInfo.InvariantCulture);
        foreach (var root in (string[])["/sys/fs/cgroup", "/sys/fs/cgroup/unified"])
        {
            var controllers = Path.Combine(root, "cgroup.controllers");
            if (File.Exists(controllers) && File.ReadAllText(controllers).Split(' ', '\n').Contains("cpu"))
            {
                var group = Path.Combine(root, name);
                Directory.CreateDirectory(group);
                File.WriteAllText(Path.Combine(group, "cpu.max"), $"{quotaUs} {period}");
                File.WriteAllText(Path.Combine(group, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
                return new CpuQuota(group, "cgroup v2");
            }
        }

        var v1 = "/sys/fs/cgroup/cpu";
        if (!File.Exists(Path.Combine(v1, "cpu.cfs_quota_us")))
        {
            throw new InvalidOperationException("No cgroup cpu controller found (neither v2 cpu.max nor v1 cpu.cfs_quota_us).");
        }

        var v1Group = Path.Combine(v1, name);
        Directory.CreateDirectory(v1Group);
        File.WriteAllText(Path.Combine(v1Group, "cpu.cfs_period_us"), period);
        File.WriteAllText(Path.Combine(v1Group, "cpu.cfs_quota_us"), quotaUs);
        File.WriteAllText(Path.Combine(v1Group, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
        return new CpuQuota(v1Group, "cgroup v1");
    }

    /// <summary>How many 100 ms periods the group was held back in so far (v1 nr_throttled, v2 nr_throttled): the quota biting.</summary>
    public long Throttled
    {
        get
        {
            var stat = Path.Combine(_group, "cpu.stat");
            if (!File.Exists(stat))
            {
                return 0;
            }

            foreach (var line in File.ReadLines(stat))
            {
                if (line.StartsWith("nr_throttled ", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(13), CultureInfo.InvariantCulture);
                }
            }

            return 0;
        }
    }

    /// <summary>Removes the group; the process must have exited (a group with members cannot go). Tried for up to 5 s.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var attempt = 0; attempt < 50 && Directory.Exists(_group); attempt++)
        {
            try
            {
                Directory.Delete(_group);
            }
            catch (IOException)
            {
                await Task.Delay(100);
            }
        }
    }
}
