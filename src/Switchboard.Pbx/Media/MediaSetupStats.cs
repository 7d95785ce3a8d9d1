namespace Switchboard.Pbx.Media;

/// <summary>
/// How long calls take from the offer reaching the PBX to the first SRTP packet the PBX sends, over
/// the most recent calls (a bounded ring). Read by the metrics endpoint and the latency benchmark.
/// </summary>
public sealed class MediaSetupStats
{
    private const int Capacity = 1024;
    private readonly double[] _ms = new double[Capacity];
    private readonly Lock _gate = new();
    private CallPhaseStats? _phases;
    private long _count;

    /// <summary>The per-phase marks of the same calls (kept here so the engine and /metrics need no new dependency).</summary>
    public CallPhaseStats Phases => LazyInitializer.EnsureInitialized(ref _phases);

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public void Record(TimeSpan offerToFirstSrtp)
    {
        lock (_gate)
        {
            _ms[_count % Capacity] = offerToFirstSrtp.TotalMilliseconds;
            _count++;
        }
    }

    /// <summary>The q-quantile (0..1) in milliseconds of the recent samples, or null with none.</summary>
    public double? Quantile(double q)
    {
        double[] samples;
        lock (_gate)
        {
            samples = _ms.AsSpan(0, (int)Math.Min(_count, Capacity)).ToArray();
        }

        if (samples.Length == 0)
        {
            return null;
        }

        Array.Sort(samples);
        var rank = (int)Math.Ceiling(q * samples.Length) - 1;
        return samples[Math.Clamp(rank, 0, samples.Length - 1)];
    }
}
