using Switchboard.Media.Rtcp;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// Media quality of the finished calls, summed for metrics (docs/media.md, "Call quality"): packets expected and lost
/// over both directions of every measured leg, and the jitter and MOS of each leg, to average. Written by the calls'
/// shards when a call ends, read from any thread (a scrape) with <see cref="Snapshot"/>; no locks.
/// </summary>
public sealed class QualityCounters
{
    private long _legs;
    private long _expected;
    private long _lost;
    private long _jitterMicroseconds;
    private long _mosHundredths;

    /// <summary>The sums as of now. Each figure is read atomically; the set may straddle a call's end.</summary>
    public QualityTotals Snapshot() => new(
        Interlocked.Read(ref _legs),
        Interlocked.Read(ref _expected),
        Interlocked.Read(ref _lost),
        Interlocked.Read(ref _jitterMicroseconds) / 1000.0,
        Interlocked.Read(ref _mosHundredths) / 100.0);

    /// <summary>Adds one ended leg: its RTCP counts and its figures as the record keeps them.</summary>
    internal void Add(LegQuality quality, LegQualityFigures figures)
    {
        long expected = 0;
        long lost = 0;
        foreach (var direction in new[] { quality.Received, quality.Reported })
        {
            if (direction is { } d && d.PacketsExpected > 0)
            {
                expected += d.PacketsExpected;
                lost += Math.Clamp(d.PacketsLost, 0, d.PacketsExpected);
            }
        }

        Interlocked.Increment(ref _legs);
        Interlocked.Add(ref _expected, expected);
        Interlocked.Add(ref _lost, lost);
        Interlocked.Add(ref _jitterMicroseconds, (long)Math.Round(figures.JitterMs * 1000));
        Interlocked.Add(ref _mosHundredths, (long)Math.Round(figures.Mos * 100));
    }
}

/// <summary>
/// The finished calls' media quality so far: <see cref="PacketsLost"/> / <see cref="PacketsExpected"/> is the loss
/// ratio; <see cref="JitterMsSum"/> and <see cref="MosSum"/> divided by <see cref="Legs"/> the mean jitter and MOS.
/// </summary>
public readonly record struct QualityTotals(long Legs, long PacketsExpected, long PacketsLost, double JitterMsSum, double MosSum);
