namespace Switchboard.MediaLoad.Runs;

/// <summary>
/// What one more call costs in memory, apart from what the first calls pay once (code paged in, JIT, pools and caches
/// filled): the relay's resident memory is sampled against the number of calls up while the calls ramp, and the
/// least-squares slope over the samples with at least a quarter of the calls up is the marginal cost per call. The
/// average per call (growth over idle divided by N) carries that one-time step divided by N, so it reads higher at small
/// N than at large; the slope does not.
/// </summary>
internal sealed class MemorySlope
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(500);
    private readonly List<(int Up, long RssKb, long AnonKb)> _samples = [];

    /// <summary>Samples <paramref name="pid"/> with <paramref name="up"/>'s count until <paramref name="stop"/> is cancelled.</summary>
    public async Task SampleAsync(int pid, Func<int> up, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var sample = ProcessSample.Read(pid);
                _samples.Add((up(), sample.RssKb, sample.RssAnonKb));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The ramp and its settle are over.
        }
    }

    /// <summary>KB per call of RSS and of its anonymous part; NaN when fewer than three samples span enough calls.</summary>
    public (double RssKb, double AnonKb) PerCall(int calls)
    {
        var used = _samples.Where(s => s.Up >= calls / 4).ToList();
        if (used.Count < 3 || used.Max(s => s.Up) - used.Min(s => s.Up) < Math.Max(4, calls / 4))
        {
            return (double.NaN, double.NaN);
        }

        return (Slope(used.Select(s => ((double)s.Up, (double)s.RssKb))), Slope(used.Select(s => ((double)s.Up, (double)s.AnonKb))));
    }

    private static double Slope(IEnumerable<(double X, double Y)> points)
    {
        var list = points.ToList();
        var meanX = list.Average(p => p.X);
        var meanY = list.Average(p => p.Y);
        var covariance = list.Sum(p => (p.X - meanX) * (p.Y - meanY));
        var variance = list.Sum(p => (p.X - meanX) * (p.X - meanX));
        return variance == 0 ? double.NaN : covariance / variance;
    }
}
