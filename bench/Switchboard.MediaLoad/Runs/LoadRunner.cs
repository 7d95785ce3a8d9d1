using System.Collections.Concurrent;
using System.Diagnostics;
using Switchboard.MediaLoad.Pump;

namespace Switchboard.MediaLoad.Runs;

/// <summary>A call that is up; hanging it up says whether the relay agreed (2xx, ended, ok).</summary>
internal delegate Task<bool> HangUp(CancellationToken ct);

/// <summary>Places call number <c>index</c>: its hang-up once media flows, or why it failed.</summary>
internal delegate Task<(HangUp? HangUp, string? Failure)> PlaceCall(int index, CancellationToken ct);

/// <summary>The relay's managed heap in bytes (GC heap at its last collection), or null when it has none or cannot say.</summary>
internal delegate Task<double?> HeapProbe(CancellationToken ct);

/// <summary>
/// The shape of every run, whatever the relay: ramp N calls up at a fixed rate, let media settle, measure the relay
/// over the hold window (CPU from /proc, the streams' loss, jitter and delay), silence the streams, then hang up.
/// </summary>
internal static class LoadRunner
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(3);
    private const int PacketsPerSecond = 50;

    public static async Task<RunResult> RunAsync(string relay, string mode, int relayPid, PumpSet pumps, PlaceCall place, int calls, double rampPerSecond, TimeSpan hold, CancellationToken ct, HeapProbe? heap = null)
    {
        // The relay's own background cost with no calls (timers, pollers): per-call figures at small N include it.
        // Measured after a settle, so the start-up's JIT and warm-up work is not counted as idle cost.
        await Task.Delay(IdleWindow, ct);
        var idleStart = ProcessSample.Read(relayPid);
        await Task.Delay(IdleWindow, ct);
        var idle = ProcessSample.Read(relayPid);
        var heapIdle = heap is null ? null : await heap(ct);
        var failures = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var up = new ConcurrentBag<HangUp>();
        var slope = new MemorySlope();
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampling = slope.SampleAsync(relayPid, () => up.Count, stopSampling.Token);
        var clock = Stopwatch.StartNew();
        var placing = new List<Task>(calls);
        for (var i = 0; i < calls; i++)
        {
            var due = TimeSpan.FromSeconds(i / rampPerSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, ct);
            }

            placing.Add(PlaceOneAsync(place, i, up, failures, ct));
        }

        await Task.WhenAll(placing);
        var setupSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  {relay} {mode}: {up.Count}/{calls} calls up after {setupSeconds:F1} s{Reasons(failures)}");
        await Task.Delay(Settle, ct);
        await stopSampling.CancelAsync();
        await sampling;
        // Attempts that fail hold memory while they fail (a DTLS handshake until its deadline), which a slope per call up
        // would charge to the calls that came up: the slope is only read when nearly every call came up.
        var (marginalRss, marginalAnon) = up.Count >= calls * 0.95 ? slope.PerCall(calls) : (double.NaN, double.NaN);

        var loadStart = ProcessSample.LoadAverage();
        var toolBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var before = ProcessSample.Read(relayPid);
        var window = Stopwatch.StartNew();
        pumps.Phase.Measuring = true;
        await Task.Delay(hold, ct);
        pumps.Phase.Measuring = false;
        var held = window.Elapsed.TotalSeconds;
        var after = ProcessSample.Read(relayPid);
        var heapHold = heap is null ? null : await heap(ct);
        var toolAfter = Process.GetCurrentProcess().TotalProcessorTime;
        var loadEnd = ProcessSample.LoadAverage();
        var jitter = pumps.MeanJitterMs();
        pumps.Phase.Sending = false;
        await Task.Delay(Grace, ct);

        var stats = pumps.Stats;
        var hangUpFailures = 0;
        foreach (var ok in await Task.WhenAll(up.Select(h => SafeHangUpAsync(h, ct))))
        {
            hangUpFailures += ok ? 0 : 1;
        }

        var callSeconds = Math.Max(1, up.Count) * held;
        return new RunResult
        {
            Relay = relay,
            Mode = mode,
            Calls = calls,
            SetUp = up.Count,
            Failed = calls - up.Count,
            FailureReasons = new Dictionary<string, int>(failures, StringComparer.Ordinal),
            SetupSeconds = setupSeconds,
            HoldSeconds = held,
            RelayCpuMsPerCallSecond = (after.CpuMs - before.CpuMs) / callSeconds,
            RelayIdleCpuMsPerSecond = (idle.CpuMs - idleStart.CpuMs) / IdleWindow.TotalSeconds,
            RelayNetCpuMsPerCallSecond = (after.CpuMs - before.CpuMs - ((idle.CpuMs - idleStart.CpuMs) / IdleWindow.TotalSeconds * held)) / callSeconds,
            RelayCpuMicrosPerPacket = 1000 * (after.CpuMs - before.CpuMs) / Math.Max(1, stats.Sum(s => s.ReceivedMeasured.Sum())),
            RelayCpuPercentOfCore = 100 * (after.CpuMs - before.CpuMs) / (held * 1000),
            ToolCpuMsPerCallSecond = (toolAfter - toolBefore).TotalMilliseconds / callSeconds,
            LossPercent = [.. Enumerable.Range(0, PumpStats.Directions).Select(d => Loss(stats, d))],
            PacketsSent = [.. Enumerable.Range(0, PumpStats.Directions).Select(d => stats.Sum(s => s.SentMeasured[d]))],
            JitterMs = jitter,
            DelayP50Ms = Percentiles(stats, 50),
            DelayP95Ms = Percentiles(stats, 95),
            DelayP99Ms = Percentiles(stats, 99),
            ThreadsIdle = idle.Threads,
            ThreadsHold = after.Threads,
            RssIdleKb = idle.RssKb,
            RssPerCallKb = up.IsEmpty ? double.NaN : (after.RssKb - idle.RssKb) / (double)up.Count,
            RssAnonymousPerCallKb = up.IsEmpty ? double.NaN : (after.RssAnonKb - idle.RssAnonKb) / (double)up.Count,
            RssMarginalPerCallKb = marginalRss,
            RssAnonymousMarginalPerCallKb = marginalAnon,
            GcHeapIdleKb = heapIdle / 1024 ?? double.NaN,
            GcHeapPerCallKb = up.IsEmpty || heapIdle is null || heapHold is null ? double.NaN : (heapHold.Value - heapIdle.Value) / 1024 / up.Count,
            LoadAverageStart = loadStart,
            LoadAverageEnd = loadEnd,
            GeneratorSendErrors = stats.Sum(s => s.SendErrors),
            GeneratorLateTicks = stats.Sum(s => s.LateTicks),
            GeneratorSkippedSlots = stats.Sum(s => s.SkippedSlots),
            PacingPercent = [.. Enumerable.Range(0, PumpStats.Directions).Select(d => up.IsEmpty ? double.NaN : 100.0 * stats.Sum(s => s.SentMeasured[d]) / (up.Count * PacketsPerSecond * held))],
            UnexpectedDatagrams = stats.Sum(s => s.Unexpected),
            HangUpFailures = hangUpFailures,
        };
    }

    private static async Task PlaceOneAsync(PlaceCall place, int index, ConcurrentBag<HangUp> up, ConcurrentDictionary<string, int> failures, CancellationToken ct)
    {
        string reason;
        try
        {
            var (hangUp, failure) = await place(index, ct);
            if (hangUp is not null && failure is null)
            {
                up.Add(hangUp);
                return;
            }

            reason = failure ?? "unknown";
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            reason = ex.GetType().Name + ": " + ex.Message;
        }

        failures.AddOrUpdate(reason, 1, (_, n) => n + 1);
    }

    private static async Task<bool> SafeHangUpAsync(HangUp hangUp, CancellationToken ct)
    {
        try
        {
            return await hangUp(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static double Loss(IReadOnlyList<PumpStats> stats, int direction)
    {
        var sent = stats.Sum(s => s.SentMeasured[direction]);
        var received = stats.Sum(s => s.ReceivedMeasured[direction]);
        return sent == 0 ? double.NaN : 100.0 * (sent - received) / sent;
    }

    private static double[] Percentiles(IReadOnlyList<PumpStats> stats, double percent) =>
        [.. Enumerable.Range(0, PumpStats.Directions).Select(d => DelayHistogram.Percentile([.. stats.Select(s => s.Delay[d])], percent))];

    private static string Reasons(ConcurrentDictionary<string, int> failures) =>
        failures.IsEmpty ? "" : " (" + string.Join("; ", failures.Select(f => $"{f.Key}: {f.Value}")) + ")";
}
