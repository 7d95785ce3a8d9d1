using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Switchboard.CallLatency;

internal static class LatencyTool
{
    /// <summary>Targets on loopback (docs/benchmarks-latency.md), for the PBX-side figure.</summary>
    private const double TargetP50Ms = 30;
    private const double TargetP95Ms = 50;

    public static async Task<int> RunAsync(string[] args)
    {
        if (!BenchOptions.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync(error);
            return 2;
        }

        // The PBX logs every call at Information to the console; keep its output to warnings and errors
        // (set Logging__LogLevel__Default=Information to see it all).
        if (Environment.GetEnvironmentVariable("Logging__LogLevel__Default") is null)
        {
            Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        }

        // Each call is bounded step by step (15 s a wait); the whole run is bounded too.
        var budget = TimeSpan.FromSeconds(90 + (30 * (options.Calls + options.Warmup)));
        using var cts = new CancellationTokenSource(budget);
        var bench = new CallBench();
        var results = new List<CallResult>();
        var run = Stopwatch.GetTimestamp();
        try
        {
            await RunCallsAsync(bench, options, results, cts.Token).WaitAsync(budget);
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync($"The run took longer than its budget of {budget.TotalSeconds} s; stopped.");
            await bench.DisposeAsync();
            return 1;
        }
        catch (Exception ex) when (ex is Microsoft.Playwright.PlaywrightException or InvalidOperationException or IOException)
        {
            await Console.Error.WriteLineAsync("Set-up failed: " + ex.Message);
            await bench.DisposeAsync();
            return 1;
        }

        var pbxAll = bench.Stats.Quantile(0.5);
        var pbxCount = bench.Stats.Count;
        var version = bench.BrowserVersion;
        await bench.DisposeAsync();

        Console.WriteLine();
        Console.WriteLine(Report(options, results, version, Stopwatch.GetElapsedTime(run)));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(cross-check: MediaSetupStats itself holds {pbxCount} samples, warm-up included; its p50 over all of them is {pbxAll:0.0} ms)"));
        return results.Any(r => r.Error is not null) ? 1 : 0;
    }

    private static async Task RunCallsAsync(CallBench bench, BenchOptions options, List<CallResult> results, CancellationToken ct)
    {
        await bench.StartAsync(ct);
        Console.WriteLine($"PBX up, Chromium {bench.BrowserVersion}; {options.Warmup} warm-up + {options.Calls} counted echo calls, one at a time.");
        var total = options.Warmup + options.Calls;
        for (var i = 1; i <= total; i++)
        {
            var warmup = i <= options.Warmup;
            var number = warmup ? i : i - options.Warmup;
            var result = await bench.CallAsync(number, warmup, ct, options.SignedLinks);
            results.Add(result);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(warmup ? "warm-up" : "call")} {number,3}: PBX {Ms(result.PbxMs),7} ms  browser {Ms(result.BrowserMs),7} ms  (packets at first sight {result.PacketsAtFirstSight?.ToString(CultureInfo.InvariantCulture) ?? "-"}){(result.Error is null ? "" : "  FAILED: " + result.Error)}"));
        }
    }

    private static string Report(BenchOptions options, List<CallResult> results, string browserVersion, TimeSpan elapsed)
    {
        var counted = results.Where(r => !r.Warmup).ToList();
        // Latency is over every counted call whose media came up and was measured, whatever happened at
        // hang-up afterwards; a call that failed is still a failure (exit code, and the per-call table).
        var measured = counted.Where(r => r.PbxMs is not null && r.BrowserMs is not null).ToList();
        var failed = results.Count(r => r.Error is not null);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Media set-up latency over {measured.Count} of {options.Calls} counted echo calls ({options.Warmup} warm-up not counted), " +
            $"{(options.SignedLinks ? "each from a fresh signed link (no session)" : "with a remembered session")}, Chromium {browserVersion}, run {elapsed.TotalSeconds:0} s.");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Calls good end to end: {counted.Count(r => r.Error is null)} of {options.Calls} counted, {results.Count(r => r.Warmup && r.Error is null)} of {options.Warmup} warm-up; {failed} failed in all (see the per-call table).");
        text.AppendLine();
        text.AppendLine("| measure | calls | p50 (ms) | p95 (ms) | min (ms) | max (ms) |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        Row(text, "PBX: offer received -> first SRTP sent (MediaSetupStats)", measured.Select(r => r.PbxMs!.Value).ToList());
        Row(text, "Browser: offer sent on WebSocket -> inbound-rtp packetsReceived > 0 (getStats polled every 5 ms)", measured.Select(r => r.BrowserMs!.Value).ToList());
        text.AppendLine();
        if (measured.Count > 0)
        {
            var pbx = measured.Select(r => r.PbxMs!.Value).ToList();
            var p50 = PbxSamples.Quantile(pbx, 0.5);
            var p95 = PbxSamples.Quantile(pbx, 0.95);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Targets (PBX side, loopback): p50 <= {TargetP50Ms} ms: {(p50 <= TargetP50Ms ? "met" : "NOT met")} ({p50:0.0}); p95 <= {TargetP95Ms} ms: {(p95 <= TargetP95Ms ? "met" : "NOT met")} ({p95:0.0}).");
            text.AppendLine();
        }

        PhaseTable.Append(text, counted.Where(r => r.Marks is not null).Select(r => r.Marks!).ToList());
        text.AppendLine();
        text.AppendLine("| call | PBX (ms) | browser (ms) | packets at first sight | result |");
        text.AppendLine("|---|---:|---:|---:|---|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {(r.Warmup ? "warm-up " : "")}{r.Number} | {Ms(r.PbxMs)} | {Ms(r.BrowserMs)} | {r.PacketsAtFirstSight?.ToString(CultureInfo.InvariantCulture) ?? "-"} | {(r.Error is null ? "ok" : "failed: " + r.Error.Replace("|", "/", StringComparison.Ordinal))} |");
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, List<double> samples)
    {
        if (samples.Count == 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | 0 | - | - | - | - |");
            return;
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {name} | {samples.Count} | {PbxSamples.Quantile(samples, 0.5):0.0} | {PbxSamples.Quantile(samples, 0.95):0.0} | {samples.Min():0.0} | {samples.Max():0.0} |");
    }

    private static string Ms(double? ms) => ms is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";
}
