using System.Diagnostics;

namespace Switchboard.MediaLoad.Pump;

/// <summary>
/// One-way relay delays in 10 µs buckets up to 200 ms (one overflow bucket beyond): fixed memory, no allocation per
/// sample, and mergeable across pump threads for percentiles.
/// </summary>
internal sealed class DelayHistogram
{
    private const int BucketMicros = 10;
    private const int Buckets = 20_000;
    private readonly long[] _counts = new long[Buckets + 1];

    public long Count { get; private set; }

    public void Add(long stopwatchTicks)
    {
        var micros = stopwatchTicks * 1_000_000 / Stopwatch.Frequency;
        var bucket = micros < 0 ? 0 : Math.Min(Buckets, micros / BucketMicros);
        _counts[bucket]++;
        Count++;
    }

    /// <summary>The <paramref name="percent"/> percentile in milliseconds over every histogram given (NaN when empty).</summary>
    public static double Percentile(IReadOnlyList<DelayHistogram> histograms, double percent)
    {
        var total = histograms.Sum(h => h.Count);
        if (total == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(total * percent / 100);
        long seen = 0;
        for (var bucket = 0; bucket <= Buckets; bucket++)
        {
            foreach (var h in histograms)
            {
                seen += h._counts[bucket];
            }

            if (seen >= rank)
            {
                // The bucket's upper edge: a conservative figure.
                return (bucket + 1) * BucketMicros / 1000.0;
            }
        }

        return Buckets * BucketMicros / 1000.0;
    }
}
