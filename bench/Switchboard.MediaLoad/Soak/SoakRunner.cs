using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Switchboard.MediaLoad.Pump;
using Switchboard.MediaLoad.Runs;

namespace Switchboard.MediaLoad.Soak;

/// <summary>
/// Churns calls through the PBX for a long time (issue 14, "Soak"): one worker per concurrent call places a call,
/// holds it, hangs up and places the next, while a sampler reads the PBX every interval. At the end the calls stop,
/// SIP transactions are given time to expire, and a last sample must show no call, dialog, transaction or media port left.
/// </summary>
internal static class SoakRunner
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    public static async Task<SoakReport> RunAsync(SoakOptions options, int pbxPid, IPEndPoint http, PumpSet pumps, PlaceCall place, CancellationToken ct)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var counters = new SoakCounters();
        var failures = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var samples = new List<SoakSample>();
        var clock = Stopwatch.StartNew();
        samples.Add(await SoakSample.ReadAsync(clock.Elapsed, pbxPid, client, http, counters, pumps.Live, ct));
        Print(samples[^1], header: true);

        using var stopPlacing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var next = 0;
        var workers = Enumerable.Range(0, options.Concurrent)
            .Select(_ => Task.Run(() => WorkAsync(options, place, () => Interlocked.Increment(ref next), counters, failures, stopPlacing.Token, ct), ct))
            .ToArray();

        while (clock.Elapsed < options.Duration)
        {
            var due = TimeSpan.FromTicks(options.SampleEvery.Ticks * samples.Count) - clock.Elapsed;
            await Task.Delay(due > TimeSpan.Zero ? due : TimeSpan.Zero, ct);
            samples.Add(await SoakSample.ReadAsync(clock.Elapsed, pbxPid, client, http, counters, pumps.Live, ct));
            Print(samples[^1], header: false);
        }

        await stopPlacing.CancelAsync();
        await Task.WhenAll(workers);
        await Task.Delay(SoakOptions.Drain, ct);
        var after = await SoakSample.ReadAsync(clock.Elapsed, pbxPid, client, http, counters, pumps.Live, ct);
        Console.WriteLine("  after the calls stopped and transactions expired:");
        Print(after, header: false);
        return new SoakReport(options, samples, after, new Dictionary<string, int>(failures, StringComparer.Ordinal));
    }

    /// <summary>One concurrent call slot: place, hold a random while, hang up, again, until placing stops.</summary>
    private static async Task WorkAsync(SoakOptions options, PlaceCall place, Func<int> nextIndex, SoakCounters counters,
        ConcurrentDictionary<string, int> failures, CancellationToken stopPlacing, CancellationToken ct)
    {
        while (!stopPlacing.IsCancellationRequested)
        {
            counters.OnPlaced();
            var (hangUp, failure) = await TryPlaceAsync(place, nextIndex(), ct);
            if (hangUp is null)
            {
                counters.OnFailed();
                failures.AddOrUpdate(failure ?? "unknown", 1, (_, n) => n + 1);
                await Delay(RetryAfterFailure, stopPlacing);
                continue;
            }

            var spread = (options.HoldMax - options.HoldMin).TotalMilliseconds;
            await Delay(options.HoldMin + TimeSpan.FromMilliseconds(RandomNumberGenerator.GetInt32((int)spread + 1)), stopPlacing);
            bool agreed;
            try
            {
                agreed = await hangUp(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                agreed = false;
                failures.AddOrUpdate("hang-up: " + ex.GetType().Name, 1, (_, n) => n + 1);
            }

            if (agreed)
            {
                counters.OnCompleted();
            }
            else
            {
                counters.OnFailed();
                failures.AddOrUpdate("hang-up not agreed", 1, (_, n) => n + 1);
            }
        }
    }

    private static async Task<(HangUp? HangUp, string? Failure)> TryPlaceAsync(PlaceCall place, int index, CancellationToken ct)
    {
        try
        {
            var (hangUp, failure) = await place(index, ct);
            return failure is null ? (hangUp, null) : (null, failure);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return (null, ex.GetType().Name + ": " + ex.Message);
        }
    }

    /// <summary>A hold cut short when placing stops: the call still hangs up properly.</summary>
    private static async Task Delay(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static void Print(SoakSample s, bool header)
    {
        if (header)
        {
            Console.WriteLine("  minute | RSS MB | threads | open files | GC heap MB | long-lived MB | calls | dialogs | transactions | ports in use | parked | placed | completed | failed | tool streams");
        }

        Console.WriteLine($"  {s.At.TotalMinutes,6:F1} | {s.RssKb / 1024.0,6:F1} | {s.Threads,7} | {s.OpenFiles,10} | {s.GcHeapBytes / 1048576,10:F1} | {s.LongLivedBytes / 1048576,13:F1} | {s.ActiveCalls,5} | {s.Dialogs,7} | {s.Transactions,12} | {s.PortsInUse,12} | {s.PortsParked,6} | {s.Placed,6} | {s.Completed,9} | {s.Failed,6} | {s.GeneratorStreams,12}");
    }
}
