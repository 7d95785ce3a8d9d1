namespace Switchboard.SipLoad;

/// <summary>One step against one target: SIPp's counts and set-up times, and the CPU time measured around the run.</summary>
internal sealed class StepStats(string target, int targetRate, UacResult uac, TimeSpan targetCpu, TimeSpan sippCpu)
{
    /// <summary>A step with more failures than this share, or under <see cref="MinAchievedShare"/> of its rate, has collapsed.</summary>
    public const double MaxFailedShare = 0.01;
    public const double MinAchievedShare = 0.9;

    public string Target { get; } = target;

    public int TargetRate { get; } = targetRate;

    public UacResult Uac { get; } = uac;

    /// <summary>The target's user + system CPU from just before SIPp started its calls until it exited.</summary>
    public TimeSpan TargetCpu { get; } = targetCpu;

    /// <summary>SIPp's own CPU (this step's UAC and the target's UASes) over the same time: it shares the cores.</summary>
    public TimeSpan SippCpu { get; } = sippCpu;

    public long Attempted => Uac.Attempted;

    public long Completed => Uac.Completed;

    /// <summary>Calls SIPp created but did not complete (failed, or never ended before its global timeout).</summary>
    public long Failed => Math.Max(Uac.Failed, Uac.Attempted - Uac.Completed);

    public double AchievedCps => Uac.AchievedCps;

    public double CpuMicrosPerCall => Completed > 0 ? TargetCpu.TotalMicroseconds / Completed : 0;

    public double CpuPercentOfCore => Uac.Elapsed > TimeSpan.Zero ? 100 * TargetCpu.TotalSeconds / Uac.Elapsed.TotalSeconds : 0;

    public double SippMicrosPerCall => Completed > 0 ? SippCpu.TotalMicroseconds / Completed : 0;

    public bool Collapsed =>
        Attempted == 0 || Failed > MaxFailedShare * Attempted || AchievedCps < MinAchievedShare * TargetRate;

    /// <summary>Nearest-rank percentile (0..100) of sorted <paramref name="values"/>; 0 when empty.</summary>
    public static double Percentile(IReadOnlyList<double> values, double percent)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percent / 100 * values.Count);
        return values[Math.Clamp(rank - 1, 0, values.Count - 1)];
    }
}
