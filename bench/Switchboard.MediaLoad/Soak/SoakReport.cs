using System.Globalization;
using System.Text;

namespace Switchboard.MediaLoad.Soak;

/// <summary>What a soak saw, and its verdicts against the issue's targets: flat within 10 % after warm-up, nothing leaked, no record lost.</summary>
internal sealed record SoakReport(SoakOptions Options, IReadOnlyList<SoakSample> Samples, SoakSample After, IReadOnlyDictionary<string, int> Failures)
{
    public const double FlatTolerance = 0.10;

    /// <summary>Records by reason, read from the database after the PBX stopped; filled in by the caller.</summary>
    public IReadOnlyDictionary<string, long> RecordsByReason { get; init; } = new Dictionary<string, long>();

    /// <summary>Records of answered calls: each completed call must have one.</summary>
    public long AnsweredRecords { get; init; }

    public IEnumerable<SoakSample> Steady => Samples.Where(s => s.At >= Options.WarmUp);

    /// <summary>(max - min) / min over the steady samples; NaN with fewer than two.</summary>
    public double Spread(Func<SoakSample, double> value)
    {
        var values = Steady.Select(value).Where(v => !double.IsNaN(v)).ToList();
        return values.Count < 2 || values.Min() <= 0 ? double.NaN : (values.Max() - values.Min()) / values.Min();
    }

    /// <summary>
    /// Drift: the mean of the last third of the steady samples against the mean of the first third, (last - first) / first.
    /// "Flat" is judged on it: a leak grows the later samples, while the thread pool adding and retiring workers, or a
    /// collection just before a sample, only widens the spread. NaN with fewer than three steady samples.
    /// </summary>
    public double Drift(Func<SoakSample, double> value)
    {
        var values = Steady.Select(value).Where(v => !double.IsNaN(v)).ToList();
        if (values.Count < 3)
        {
            return double.NaN;
        }

        var third = values.Count / 3;
        var first = values.Take(third).Average();
        var last = values.Skip(values.Count - third).Average();
        return first <= 0 ? double.NaN : (last - first) / first;
    }

    public bool Leaked => After.ActiveCalls != 0 || After.Dialogs != 0 || After.Transactions != 0 || After.PortsInUse != 0 || After.GeneratorStreams != 0;

    public long LostRecords => Math.Max(0, Last.Completed - AnsweredRecords);

    private SoakSample Last => After;

    public bool Passed =>
        !Leaked && LostRecords == 0 &&
        new[] { Drift(s => s.RssKb), Drift(s => s.Threads), Drift(s => s.OpenFiles), Drift(s => s.LongLivedBytes) }.All(v => Math.Abs(v) <= FlatTolerance);

    public string Markdown()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Soak: {Options.Duration.TotalMinutes:0} min, {Options.Concurrent} concurrent calls, each held {Options.HoldMin.TotalSeconds:0}-{Options.HoldMax.TotalSeconds:0} s; warm-up {Options.WarmUp.TotalMinutes:0.#} min left out of the spread.");
        text.AppendLine();
        text.AppendLine("| minute | RSS MB | threads | open files | GC heap MB | long-lived heap MB | calls up | dialogs | transactions | media ports in use | parked | calls placed | completed | failed |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in Samples.Append(After))
        {
            text.AppendLine(c, $"| {(ReferenceEquals(s, After) ? "after" : s.At.TotalMinutes.ToString("0.0", c))} | {s.RssKb / 1024.0:0.0} | {s.Threads} | {s.OpenFiles} | {s.GcHeapBytes / 1048576:0.0} | {s.LongLivedBytes / 1048576:0.0} | {s.ActiveCalls} | {s.Dialogs} | {s.Transactions} | {s.PortsInUse} | {s.PortsParked} | {s.Placed} | {s.Completed} | {s.Failed} |");
        }

        text.AppendLine();
        text.AppendLine(c, $"- Drift after warm-up, last third against first third (target within {FlatTolerance:P0}): RSS {Drift(s => s.RssKb):P1}, threads {Drift(s => s.Threads):P1}, open files {Drift(s => s.OpenFiles):P1}, long-lived GC heap {Drift(s => s.LongLivedBytes):P1}.");
        text.AppendLine(c, $"- Spread after warm-up, (max - min) / min : RSS {Spread(s => s.RssKb):P1}, threads {Spread(s => s.Threads):P1}, open files {Spread(s => s.OpenFiles):P1}, long-lived GC heap {Spread(s => s.LongLivedBytes):P1} (the whole heap at the last collection, young objects included, swings with gen0: {Spread(s => s.GcHeapBytes):P1}).");
        text.AppendLine(c, $"- Left after the calls ended: {After.ActiveCalls} calls, {After.Dialogs} dialogs, {After.Transactions} transactions, {After.PortsInUse} media ports in use, {After.GeneratorStreams} generator streams.");
        text.AppendLine(c, $"- Records: {string.Join(", ", RecordsByReason.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value}"))}; answered {AnsweredRecords} for {After.Completed} completed calls: {LostRecords} lost.");
        if (Failures.Count > 0)
        {
            text.AppendLine(c, $"- Failures: {string.Join("; ", Failures.Select(f => $"{f.Key}: {f.Value}"))}.");
        }

        text.AppendLine(c, $"- Verdict: {(Passed ? "passed" : "NOT passed")}.");
        return text.ToString();
    }
}
