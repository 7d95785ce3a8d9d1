namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// Proves which tone a recording holds: the Goertzel power at one frequency as a share of the signal's
/// total power (a pure sine at that frequency gives about 1, another tone or noise about 0), and the
/// RMS level. G.711 companding and jitter-buffer gaps lower the share a little, never to near 0.
/// </summary>
public static class ToneDetector
{
    /// <summary>
    /// The fraction of <paramref name="samples"/>' power that lies at <paramref name="frequencyHz"/>,
    /// between 0 and about 1. Computed over blocks of 20 ms so that a drifting or slightly off frequency
    /// (Chromium's beep, resampling) stays inside one Goertzel bin.
    /// </summary>
    public static double PowerShare(ReadOnlySpan<short> samples, int sampleRate, double frequencyHz)
    {
        var block = sampleRate / 50;
        double tone = 0, total = 0;
        Span<double> window = block <= 2048 ? stackalloc double[block] : new double[block];
        for (var start = 0; start + block <= samples.Length; start += block)
        {
            // Without its DC offset: Chromium's fake beep is a square wave that is not centred on 0.
            var slice = samples.Slice(start, block);
            double mean = 0;
            foreach (var sample in slice) mean += sample;
            mean /= block;
            for (var i = 0; i < block; i++) window[i] = slice[i] - mean;
            tone += GoertzelPower(window, sampleRate, frequencyHz);
            total += Energy(window);
        }

        // Goertzel magnitude squared of a full-scale sine of N samples is (N/2)^2 * A^2, its energy
        // N * A^2 / 2: scale by 2/N so a pure tone's share is 1.
        return total == 0 ? 0 : tone * 2 / block / total;
    }

    /// <summary>
    /// The frequency from <paramref name="fromHz"/> up, on a grid of <paramref name="stepHz"/>, that holds
    /// the largest power share. Start above the lowest bins: short bursts (Chromium's beep) put their
    /// envelope's energy there.
    /// </summary>
    public static double DominantFrequency(ReadOnlySpan<short> samples, int sampleRate, double fromHz = 100, double stepHz = 10)
    {
        double best = 0, bestShare = -1;
        for (var hz = fromHz; hz < sampleRate / 2.0; hz += stepHz)
        {
            var share = PowerShare(samples, sampleRate, hz);
            if (share > bestShare) (best, bestShare) = (hz, share);
        }

        return best;
    }

    /// <summary>The root mean square of the samples, 0 to 32767.</summary>
    public static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var sample in samples) sum += (double)sample * sample;
        return samples.IsEmpty ? 0 : Math.Sqrt(sum / samples.Length);
    }

    /// <summary>Goertzel's algorithm: |X(k)|^2 for the bin nearest <paramref name="frequencyHz"/>.</summary>
    private static double GoertzelPower(ReadOnlySpan<double> samples, int sampleRate, double frequencyHz)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequencyHz / sampleRate);
        double previous = 0, beforePrevious = 0;
        foreach (var sample in samples)
        {
            var current = sample + (coefficient * previous) - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }

        return (previous * previous) + (beforePrevious * beforePrevious) - (coefficient * previous * beforePrevious);
    }

    private static double Energy(ReadOnlySpan<double> samples)
    {
        double sum = 0;
        foreach (var sample in samples) sum += sample * sample;
        return sum;
    }
}
