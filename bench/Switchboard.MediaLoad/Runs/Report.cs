using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Switchboard.MediaLoad.Runs;

/// <summary>The runs side by side as a markdown table (one column per run), and as JSON.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static string Markdown(IReadOnlyList<RunResult> runs)
    {
        var rows = new (string Name, Func<RunResult, string> Value)[]
        {
            ("calls set up / failed", r => $"{r.SetUp} / {r.Failed}"),
            ("relay CPU ms per call-second (net of idle)", r => $"{F(r.RelayCpuMsPerCallSecond, 3)} ({F(r.RelayNetCpuMsPerCallSecond, 3)})"),
            ("relay CPU µs per packet delivered", r => F(r.RelayCpuMicrosPerPacket, 2)),
            ("relay CPU % of one core (idle: ms/s)", r => $"{F(r.RelayCpuPercentOfCore, 0)} ({F(r.RelayIdleCpuMsPerSecond, 1)})"),
            ("loss caller→callee / callee→caller %", r => $"{F(r.LossPercent[0], 3)} / {F(r.LossPercent[1], 3)}"),
            ("jitter (RFC 3550) caller→callee / back ms", r => $"{F(r.JitterMs[0], 3)} / {F(r.JitterMs[1], 3)}"),
            ("delay p50 / p95 / p99 caller→callee ms", r => $"{F(r.DelayP50Ms[0], 2)} / {F(r.DelayP95Ms[0], 2)} / {F(r.DelayP99Ms[0], 2)}"),
            ("delay p50 / p95 / p99 callee→caller ms", r => $"{F(r.DelayP50Ms[1], 2)} / {F(r.DelayP95Ms[1], 2)} / {F(r.DelayP99Ms[1], 2)}"),
            ("relay threads idle / hold", r => $"{r.ThreadsIdle} / {r.ThreadsHold}"),
            ("relay RSS idle MB / per call KB", r => $"{F(r.RssIdleKb / 1024.0, 0)} / {F(r.RssPerCallKb, 1)}"),
            ("per call KB: anonymous RSS / GC heap (idle heap MB)", r => $"{F(r.RssAnonymousPerCallKb, 1)} / {F(r.GcHeapPerCallKb, 1)} ({F(r.GcHeapIdleKb / 1024.0, 0)})"),
            ("marginal KB per call (slope over the ramp): RSS / anonymous", r => $"{F(r.RssMarginalPerCallKb, 1)} / {F(r.RssAnonymousMarginalPerCallKb, 1)}"),
            ("packets sent in window (each way); % of schedule", r => $"{r.PacketsSent[0]} / {r.PacketsSent[1]}; {F(r.PacingPercent[0], 1)} / {F(r.PacingPercent[1], 1)}"),
            ("generator CPU ms per call-second", r => F(r.ToolCpuMsPerCallSecond, 3)),
            ("generator send errors / late ticks / skipped ms", r => $"{r.GeneratorSendErrors} / {r.GeneratorLateTicks} / {r.GeneratorSkippedSlots}"),
            ("load average start / end", r => $"{r.LoadAverageStart} / {r.LoadAverageEnd}"),
            ("ramp-up s; hold window s; hang-up failures", r => $"{F(r.SetupSeconds, 1)}; {F(r.HoldSeconds, 1)}; {r.HangUpFailures}"),
        };
        var table = new StringBuilder("| |");
        foreach (var r in runs)
        {
            table.Append(CultureInfo.InvariantCulture, $" {r.Relay} {r.Mode}, {r.Calls} calls |");
        }

        table.AppendLine().Append("|---|").AppendLine(string.Concat(runs.Select(_ => "---|")));
        foreach (var (name, value) in rows)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {name} |");
            foreach (var r in runs)
            {
                table.Append(CultureInfo.InvariantCulture, $" {value(r)} |");
            }

            table.AppendLine();
        }

        foreach (var r in runs.Where(r => r.FailureReasons.Count > 0))
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"\n{r.Relay} {r.Mode} {r.Calls}: failures: {string.Join("; ", r.FailureReasons.Select(f => $"{f.Key} ×{f.Value}"))}");
        }

        return table.ToString();
    }

    public static string ToJson(IReadOnlyList<RunResult> runs) => JsonSerializer.Serialize(runs, Json);

    private static string F(double value, int decimals) => double.IsNaN(value) ? "n/a" : value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
