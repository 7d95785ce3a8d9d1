namespace Switchboard.MediaLoad.Pump;

/// <summary>The generator's pump threads (one or two), endpoints spread round-robin, stats read together.</summary>
internal sealed class PumpSet : IDisposable
{
    private readonly MediaPump[] _pumps;
    private int _next;

    public PumpSet(int threads, LoadPhase phase)
    {
        Phase = phase;
        _pumps = Enumerable.Range(0, threads).Select(i => new MediaPump(phase, $"media-pump-{i}")).ToArray();
    }

    public LoadPhase Phase { get; }

    /// <summary>Streams open in the generator now, over all pumps.</summary>
    public int Live => _pumps.Sum(p => p.Live);

    public IReadOnlyList<PumpStats> Stats => _pumps.Select(p => p.Stats).ToArray();

    public T Add<T>(T endpoint)
        where T : MediaEndpoint
    {
        _pumps[(int)((uint)Interlocked.Increment(ref _next) % _pumps.Length)].Add(endpoint);
        return endpoint;
    }

    /// <summary>Mean RFC 3550 jitter (ms) over the streams received in each direction; NaN for a direction with none.</summary>
    public double[] MeanJitterMs()
    {
        var sums = new double[PumpStats.Directions];
        var counts = new int[PumpStats.Directions];
        foreach (var pump in _pumps)
        {
            pump.AddJitter(sums, counts);
        }

        return [.. sums.Select((sum, i) => counts[i] == 0 ? double.NaN : sum / counts[i])];
    }

    public void Dispose()
    {
        foreach (var pump in _pumps)
        {
            pump.Dispose();
        }
    }
}
