using System.Globalization;
using System.Text;

namespace Switchboard.SipLoad;

/// <summary>The markdown tables of the steps (every target side by side, rate by rate), and one-line summaries for progress.</summary>
internal static class ReportTable
{
    public static string Format(IReadOnlyList<StepStats> steps)
    {
        var table = new StringBuilder()
            .AppendLine("| target cps | server | attempted | completed | failed (SIPp's reasons) | achieved cps | server CPU µs/call | server CPU % of a core | setup p50 / p95 ms | retransmits | SIPp CPU µs/call |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in steps.OrderBy(s => s.TargetRate))
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.TargetRate} | {s.Target} | {s.Attempted} | {s.Completed} | {s.Failed}{Reasons(s)} | {s.AchievedCps:F0} | {s.CpuMicrosPerCall:F0} | " +
                $"{s.CpuPercentOfCore:F0} | {StepStats.Percentile(s.Uac.SetupMs, 50):F0} / {StepStats.Percentile(s.Uac.SetupMs, 95):F0} | {s.Uac.Retransmissions} | {s.SippMicrosPerCall:F0} |");
        }

        return table.ToString();
    }

    /// <summary>Rate by rate, each server's CPU per call, and the ratio of the first two (the PBX over Kamailio).</summary>
    public static string Ratio(IReadOnlyList<StepStats> steps)
    {
        var servers = steps.Select(s => s.Target).Distinct().ToList();
        if (servers.Count < 2)
        {
            return "";
        }

        var table = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"| target cps | {string.Join(" | ", servers.Select(s => s + " CPU µs/call"))} | {servers[0]} / {servers[1]} |")
            .AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(servers.Select(_ => "---|"))}---|");
        foreach (var rate in steps.Select(s => s.TargetRate).Distinct().Order())
        {
            var row = servers.Select(server => steps.FirstOrDefault(s => s.Target == server && s.TargetRate == rate)).ToList();
            var ratio = row[0] is { CpuMicrosPerCall: > 0 } a && row[1] is { CpuMicrosPerCall: > 0 } b
                ? string.Create(CultureInfo.InvariantCulture, $"{a.CpuMicrosPerCall / b.CpuMicrosPerCall:F1}x")
                : "-";
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {rate} | {string.Join(" | ", row.Select(s => s is null ? "-" : s.CpuMicrosPerCall.ToString("F0", CultureInfo.InvariantCulture) + (s.Collapsed ? " (collapsed)" : "")))} | {ratio} |");
        }

        return table.ToString();
    }

    public static string Summary(StepStats s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.Target} {s.TargetRate} cps: {s.Completed}/{s.Attempted} completed{Reasons(s)}, {s.AchievedCps:F0} cps, {s.CpuMicrosPerCall:F0} µs CPU/call " +
        $"({s.CpuPercentOfCore:F0} % of a core), setup p50 {StepStats.Percentile(s.Uac.SetupMs, 50):F0} ms p95 {StepStats.Percentile(s.Uac.SetupMs, 95):F0} ms, " +
        $"{s.Uac.Retransmissions} retransmits, SIPp exit {s.Uac.ExitCode}{(s.Collapsed ? ", collapsed" : "")}");

    /// <summary>Per server, the highest rate that did not collapse and its CPU per call.</summary>
    public static string Headline(IReadOnlyList<StepStats> steps) =>
        string.Join("; ", steps.Select(s => s.Target).Distinct().Select(server =>
            steps.Where(s => s.Target == server && !s.Collapsed && s.Failed == 0).MaxBy(s => s.TargetRate) is { } best
                ? string.Create(CultureInfo.InvariantCulture, $"{server}: {best.TargetRate} cps with zero failures ({best.AchievedCps:F0} achieved, {best.CpuMicrosPerCall:F0} µs CPU per call)")
                : $"{server}: no step without failures"));

    private static string Reasons(StepStats s) =>
        s.Uac.Reasons.Count == 0 ? "" : " (" + string.Join("; ", s.Uac.Reasons.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key}: {f.Value}"))) + ")";
}
