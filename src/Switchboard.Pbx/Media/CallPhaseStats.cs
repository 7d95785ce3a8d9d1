using System.Collections.Frozen;
using Switchboard.Pbx.Calls;

namespace Switchboard.Pbx.Media;

/// <summary>
/// Each set-up mark's time over the most recent calls (docs/call-records.md, <c>phases</c>), for
/// <c>/metrics</c>: one ring per known mark of each side, the same ring and quantile rule as
/// <see cref="MediaSetupStats"/>. A mark's sample is its time from its side's origin, not from the mark before.
/// </summary>
public sealed class CallPhaseStats
{
    private readonly FrozenDictionary<string, MediaSetupStats> _pbx =
        CallPhases.PbxNames.ToFrozenDictionary(n => n, _ => new MediaSetupStats(), StringComparer.Ordinal);

    private readonly FrozenDictionary<string, MediaSetupStats> _page =
        PagePhases.Names.ToFrozenDictionary(n => n, _ => new MediaSetupStats(), StringComparer.Ordinal);

    /// <summary>(side, mark, its samples) for every known mark, in the names' order.</summary>
    public IEnumerable<(string Side, string Name, MediaSetupStats Samples)> All =>
        CallPhases.PbxNames.Select(n => ("pbx", n, _pbx[n])).Concat(PagePhases.Names.Select(n => ("page", n, _page[n])));

    public void Record(CallPhases phases)
    {
        ArgumentNullException.ThrowIfNull(phases);
        Add(_pbx, phases.Pbx);
        Add(_page, phases.Page);
    }

    private static void Add(FrozenDictionary<string, MediaSetupStats> rings, IReadOnlyList<KeyValuePair<string, double>> marks)
    {
        foreach (var (name, ms) in marks)
        {
            if (rings.TryGetValue(name, out var ring))
            {
                ring.Record(TimeSpan.FromMilliseconds(ms));
            }
        }
    }
}
