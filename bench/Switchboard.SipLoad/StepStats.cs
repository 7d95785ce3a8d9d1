namespace Switchboard.SipLoad;

/// <summary>What one measurement window saw; filled by the caller engine's loop only.</summary>
internal sealed class StepStats(int targetRate)
{
    public int TargetRate { get; } = targetRate;

    public int Attempted { get; set; }

    public int Completed { get; set; }

    public int Retransmissions { get; set; }

    public int StrayResponses { get; set; }

    public int PeakConcurrent { get; set; }

    public SortedDictionary<string, int> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>The first few failed calls (Call-ID, phase, last status), to find them in a PBX log or capture.</summary>
    public List<string> FailureSamples { get; } = [];

    public List<double> SetupMs { get; } = [];

    public List<double> CallMs { get; } = [];

    /// <summary>Time from the first call start to the last (the pacing span).</summary>
    public TimeSpan PacingSpan { get; set; }

    /// <summary>From the first call start until the last call ended or timed out.</summary>
    public TimeSpan Elapsed { get; set; }

    public TimeSpan PbxCpu { get; set; }

    public TimeSpan ToolCpu { get; set; }

    public int Failed => Attempted - Completed;

    public double AchievedCps => PacingSpan > TimeSpan.Zero ? Completed / PacingSpan.TotalSeconds : 0;

    public double PbxCpuMicrosPerCall => Completed > 0 ? PbxCpu.TotalMicroseconds / Completed : 0;

    public void Fail(string reason) => Failures[reason] = Failures.GetValueOrDefault(reason) + 1;

    /// <summary>Nearest-rank percentile (0..100) of <paramref name="values"/>; 0 when empty.</summary>
    public static double Percentile(List<double> values, double percent)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        values.Sort();
        var rank = (int)Math.Ceiling(percent / 100 * values.Count);
        return values[Math.Clamp(rank - 1, 0, values.Count - 1)];
    }
}
