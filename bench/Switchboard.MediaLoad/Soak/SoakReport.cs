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

    public bool Leaked => After.ActiveCalls != 0 || After.Dialogs != 0 || After.Transactions != 0 || After.PortsInUse != 0 || After.GeneratorStreams != 0;

    public long LostRecords => Math.Max(0, Last.Completed - AnsweredRecords);

    private SoakSample Last => After;

    public bool Passed =>
        !Leaked && LostRecords == 0 &&
        new[] { Spread(s => s.RssKb), Spread(s => s.Threads), Spread(s => s.OpenFiles), Spread(s => s.GcHeapBytes) }.All(v => v <= FlatTolerance);

    public string Markdown()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Soak: {Options.Duration.TotalMinutes:0} min, {Options.Concurrent} concurrent calls, each held {Options.HoldMin.TotalSeconds:0}-{Options.HoldMax.TotalSeconds:0} s; warm-up {Options.WarmUp.TotalMinutes:0.#} min left out of the spread.");
        text.AppendLine();
        text.AppendLine("| minute | RSS MB | threads | open files | GC heap MB | calls up | dialogs | transactions | media ports in use | parked | calls placed | completed | failed |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in Samples.Append(After))
        {
            text.AppendLine(c, $"| {(ReferenceEquals(s, After) ? "after" : s.At.TotalMinutes.ToString("0.0", c))} | {s.RssKb / 1024.0:0.0} | {s.Threads} | {s.OpenFiles} | {s.GcHeapBytes / 1048576:0.0} | {s.ActiveCalls} | {s.Dialogs} | {s.Transactions} | {s.PortsInUse} | {s.PortsParked} | {s.Placed} | {s.Completed} | {s.Failed} |");
        }

        text.AppendLine();
        text.AppendLine(c, $"- Spread after warm-up (target <= {FlatTolerance:P0}): RSS {Spread(s => s.RssKb):P1}, threads {Spread(s => s.Threads):P1}, open files {Spread(s => s.OpenFiles):P1}, GC heap {Spread(s => s.GcHeapBytes):P1}.");
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
