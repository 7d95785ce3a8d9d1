using System.Globalization;
using System.Text;

namespace Switchboard.SipLoad;

/// <summary>The markdown table of the steps, and one-line summaries for progress.</summary>
internal static class ReportTable
{
    public static string Format(IReadOnlyList<StepStats> steps)
    {
        var table = new StringBuilder()
            .AppendLine("| target cps | attempted | completed | failed (reasons) | achieved cps | PBX CPU µs/call | PBX CPU % of a core | setup p50 / p95 ms | call p50 / p95 ms | retransmits | peak in flight | tool CPU µs/call |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in steps)
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.TargetRate} | {s.Attempted} | {s.Completed} | {s.Failed}{Reasons(s)} | {s.AchievedCps:F0} | {s.PbxCpuMicrosPerCall:F0} | " +
                $"{100 * s.PbxCpu.TotalSeconds / s.Elapsed.TotalSeconds:F0} | {StepStats.Percentile(s.SetupMs, 50):F1} / {StepStats.Percentile(s.SetupMs, 95):F1} | " +
                $"{StepStats.Percentile(s.CallMs, 50):F1} / {StepStats.Percentile(s.CallMs, 95):F1} | {s.Retransmissions} | {s.PeakConcurrent} | " +
                $"{(s.Completed > 0 ? s.ToolCpu.TotalMicroseconds / s.Completed : 0):F0} |");
        }

        return table.ToString();
    }

    public static string Summary(StepStats s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.Completed}/{s.Attempted} completed{Reasons(s)}, {s.AchievedCps:F0} cps, PBX {s.PbxCpuMicrosPerCall:F0} µs CPU/call, " +
        $"setup p50 {StepStats.Percentile(s.SetupMs, 50):F1} ms p95 {StepStats.Percentile(s.SetupMs, 95):F1} ms, {s.Retransmissions} retransmits, {s.StrayResponses} stray");

    /// <summary>The highest step rate with no failure, and its CPU per call.</summary>
    public static string Headline(IReadOnlyList<StepStats> steps) =>
        steps.LastOrDefault(s => s.Failed == 0 && s.Attempted > 0) is { } best
            ? string.Create(CultureInfo.InvariantCulture, $"{best.TargetRate} cps ({best.AchievedCps:F0} achieved), {best.PbxCpuMicrosPerCall:F0} µs PBX CPU per call")
            : "none";

    private static string Reasons(StepStats s) =>
        s.Failures.Count == 0 ? "" : " (" + string.Join("; ", s.Failures.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key}: {f.Value}"))) + ")";
}
