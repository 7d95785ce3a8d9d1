using Switchboard.Pbx.Media;

namespace Switchboard.CallLatency;

/// <summary>
/// Reads the PBX's own per-call figures out of <see cref="MediaSetupStats"/>, which exposes only a count and
/// nearest-rank quantiles. With n samples, <c>Quantile((k + 0.5) / n)</c> is exactly the (k+1)-th smallest,
/// so the whole multiset can be read back; the sample a call added is the one in "after" and not in "before".
/// </summary>
internal static class PbxSamples
{
    /// <summary>MediaSetupStats keeps this many recent samples; past it the read-back is no longer complete.</summary>
    public const int Capacity = 1024;

    public static double[] ReadAll(MediaSetupStats stats)
    {
        var count = stats.Count;
        if (count >= Capacity)
        {
            throw new InvalidOperationException($"MediaSetupStats holds {count} samples, beyond its window of {Capacity}: samples cannot be read back.");
        }

        var n = (int)count;
        var sorted = new double[n];
        for (var k = 0; k < n; k++)
        {
            sorted[k] = stats.Quantile((k + 0.5) / n) ?? throw new InvalidOperationException("MediaSetupStats lost its samples.");
        }

        return sorted;
    }

    /// <summary>The one sample in <paramref name="after"/> that is not in <paramref name="before"/> (both sorted), or null.</summary>
    public static double? Added(double[] before, double[] after)
    {
        if (after.Length != before.Length + 1)
        {
            return null;
        }

        var i = 0;
        while (i < before.Length && before[i].Equals(after[i]))
        {
            i++;
        }

        // after[i] is the newcomer; the rest must line up shifted by one.
        for (var j = i; j < before.Length; j++)
        {
            if (!before[j].Equals(after[j + 1]))
            {
                return null;
            }
        }

        return after[i];
    }

    /// <summary>The same nearest-rank quantile as <see cref="MediaSetupStats.Quantile"/>, over given samples.</summary>
    public static double Quantile(IReadOnlyList<double> samples, double q)
    {
        var sorted = samples.Order().ToArray();
        var rank = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
