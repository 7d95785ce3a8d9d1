using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Media.Dtls;
using Xunit.Abstractions;

namespace Switchboard.Media.Tests.Dtls;

/// <summary>Counts the process's threads: nothing else may run while it does.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountTests
{
    public const string Name = "Thread counts";
}

/// <summary>
/// Handshakes on a bounded <see cref="DtlsHandshakePool"/>: no thread per endpoint, none held after
/// the handshake, the deadline counted from Start with queueing included, and a disposed endpoint
/// freeing its worker. Each test has its own pools, so counts are its own. Handshakes run on
/// BouncyCastle's wall clock; waits are bounded.
/// </summary>
[Collection(ThreadCountTests.Name)]
public sealed class DtlsHandshakePoolTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Twenty_concurrent_handshakes_leave_no_thread_behind_but_the_pools_own()
    {
        const int Calls = 20;
        using var servers = new DtlsHandshakePool(4, "dtls-t-srv");
        using var clients = new DtlsHandshakePool(4, "dtls-t-cli");
        await WarmUpAsync();
        int threadsBefore = ProcessThreadCount();
        int threadPoolBefore = ThreadPool.ThreadCount;

        var pairs = new List<DtlsPair>();
        try
        {
            for (int i = 0; i < Calls; i++)
            {
                pairs.Add(new DtlsPair(
                    DtlsPair.ClientOptions(pool: clients),
                    DtlsPair.ServerOptions(pool: servers)));
            }

            var clock = Stopwatch.StartNew();
            foreach (DtlsPair pair in pairs)
            {
                pair.Start();
            }

            foreach (DtlsPair pair in pairs)
            {
                await pair.ServerProbe.CompletedWithin(Bound);
                await pair.ClientProbe.CompletedWithin(Bound);
                await pair.Server.Completion.WaitAsync(Bound);
                await pair.Client.Completion.WaitAsync(Bound);
            }

            clock.Stop();
            await WaitUntilAsync(() => servers.BusyCount == 0 && clients.BusyCount == 0, "both pools idle");

            // Every association is up, and no worker holds any of them.
            Assert.All(pairs, p => Assert.True(p.Server.IsEstablished && p.Client.IsEstablished));
            int threadsAfter = ProcessThreadCount();
            int threadPoolGrowth = Math.Max(0, ThreadPool.ThreadCount - threadPoolBefore);
            // This test's own pools only: a pool an earlier test disposed may still have workers on their way out.
            int ours = NamedThreads("dtls-t-srv") + NamedThreads("dtls-t-cli");
            output.WriteLine($"{Calls} calls in {clock.ElapsedMilliseconds} ms: threads {threadsBefore} -> {threadsAfter} " +
                $"(pool workers {servers.WorkerCount}+{clients.WorkerCount}, .NET thread pool +{threadPoolGrowth}, named dtls-t-srv/cli {ours}); " +
                $"peak busy {servers.PeakBusyCount}/{clients.PeakBusyCount}; server queued max " +
                $"{pairs.Max(p => p.Server.QueuedDuration!.Value.TotalMilliseconds):F0} ms, handshake median " +
                $"{Median(pairs.Select(p => p.Client.HandshakeDuration!.Value.TotalMilliseconds)):F0} ms");

            Assert.Equal(0, servers.BusyCount);
            Assert.Equal(0, clients.BusyCount);
            Assert.InRange(servers.WorkerCount, 1, 4);
            Assert.InRange(clients.WorkerCount, 1, 4);
            Assert.True(ours < 0 || ours <= servers.MaxWorkers + clients.MaxWorkers, $"{ours} dtls-t-srv/cli threads");

            // The .NET thread pool grows as it likes (the link pumps and test continuations run there);
            // beyond it, the only new threads are the two pools' workers, not one per endpoint (40 here).
            Assert.True(threadsAfter - threadsBefore <= servers.MaxWorkers + clients.MaxWorkers + threadPoolGrowth,
                $"threads {threadsBefore} -> {threadsAfter}, thread pool +{threadPoolGrowth}");
        }
        finally
        {
            foreach (DtlsPair pair in pairs)
            {
                await pair.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task More_handshakes_than_workers_all_complete_within_their_deadlines_two_at_a_time()
    {
        const int Calls = 10;
        using var servers = new DtlsHandshakePool(2, "dtls-t-two");
        TimeSpan deadline = TimeSpan.FromSeconds(10);
        var pairs = new List<DtlsPair>();
        try
        {
            for (int i = 0; i < Calls; i++)
            {
                pairs.Add(new DtlsPair(
                    DtlsPair.ClientOptions(timeout: deadline),
                    DtlsPair.ServerOptions(timeout: deadline, pool: servers)));
            }

            foreach (DtlsPair pair in pairs)
            {
                pair.Start();
            }

            foreach (DtlsPair pair in pairs)
            {
                await pair.ServerProbe.CompletedWithin(Bound);
                await pair.ClientProbe.CompletedWithin(Bound);
            }

            await WaitUntilAsync(() => servers.BusyCount == 0, "server pool idle");
            double[] queued = [.. pairs.Select(p => p.Server.QueuedDuration!.Value.TotalMilliseconds).Order()];
            output.WriteLine($"queued before a worker took it: min {queued[0]:F1} ms, median {queued[Calls / 2]:F1} ms, max {queued[^1]:F1} ms; " +
                $"peak busy {servers.PeakBusyCount}, workers {servers.WorkerCount}");
            Assert.Equal(2, servers.WorkerCount);
            Assert.InRange(servers.PeakBusyCount, 1, 2);
            Assert.Equal(Calls, servers.CompletedCount);
            Assert.All(pairs, p => Assert.True(p.Client.HandshakeDuration < deadline));
        }
        finally
        {
            foreach (DtlsPair pair in pairs)
            {
                await pair.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Handshake_still_queued_at_its_deadline_fails_with_Timeout_without_taking_a_worker()
    {
        var time = new FakeTimeProvider();
        using var pool = new DtlsHandshakePool(1, "dtls-t-one");

        // A client with no server holds the only worker: it waits for a ServerHello that never comes.
        await using var blocker = BouncyCastleDtlsEndpoint.CreateClient(
            DtlsPair.ClientOptions(timeout: TimeSpan.FromSeconds(30), time: time, pool: pool));
        blocker.Start();
        await WaitUntilAsync(() => pool.BusyCount == 1, "the blocker running");

        await using var queued = BouncyCastleDtlsEndpoint.CreateClient(
            DtlsPair.ClientOptions(timeout: TimeSpan.FromSeconds(5), time: time, pool: pool));
        var probe = new EndpointProbe(queued);
        queued.Start();
        Assert.Equal(1, pool.QueuedCount);

        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(probe.Failure.Task.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.2));

        // Raised by the deadline's timer (here: inside Advance), not by a worker.
        Assert.True(probe.Failure.Task.IsCompleted);
        Assert.Equal(DtlsFailureKind.Timeout, (await probe.Failure.Task).Kind);
        Assert.True(queued.Completion.IsCompleted);
        Assert.Null(queued.QueuedDuration);
        Assert.Equal(1, pool.BusyCount);

        // Freeing the worker lets it skip the dead job without running it.
        await blocker.DisposeAsync().AsTask().WaitAsync(Bound);
        await WaitUntilAsync(() => pool.CompletedCount == 2 && pool.BusyCount == 0 && pool.QueuedCount == 0, "the queue emptied");
        Assert.Null(queued.QueuedDuration);
        Assert.False(probe.Keys.Task.IsCompleted);
    }

    [Fact]
    public async Task Dispose_during_a_handshake_frees_the_worker_for_the_next_one()
    {
        using var pool = new DtlsHandshakePool(1, "dtls-t-free");
        var stuck = BouncyCastleDtlsEndpoint.CreateClient(DtlsPair.ClientOptions(pool: pool));
        var stuckProbe = new EndpointProbe(stuck);
        stuck.Start();
        await WaitUntilAsync(() => pool.BusyCount == 1, "the stuck client running");

        var clock = Stopwatch.StartNew();
        await stuck.DisposeAsync().AsTask().WaitAsync(Bound);
        await WaitUntilAsync(() => pool.BusyCount == 0, "the worker free");
        output.WriteLine($"worker free {clock.Elapsed.TotalMilliseconds:F1} ms after dispose");
        Assert.False(stuckProbe.Failure.Task.IsCompleted);

        // The same single worker now runs a whole server handshake.
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), DtlsPair.ServerOptions(pool: pool));
        pair.Start();
        await pair.ServerProbe.CompletedWithin(Bound);
        await pair.ClientProbe.CompletedWithin(Bound);
        Assert.Equal(1, pool.WorkerCount);
    }

    [Fact]
    public async Task Server_takes_no_worker_until_its_first_datagram()
    {
        using var pool = new DtlsHandshakePool(1, "dtls-t-lazy");
        await using var server = BouncyCastleDtlsEndpoint.CreateServer(DtlsPair.ServerOptions(pool: pool));
        server.Start();

        Assert.Equal(0, pool.WorkerCount);
        Assert.Equal(0, pool.QueuedCount);

        Assert.True(server.OnDatagram([22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 50, 1, 0, 0]));
        await WaitUntilAsync(() => pool.BusyCount == 1, "the server running");
        Assert.Equal(1, pool.WorkerCount);
    }

    /// <summary>The first handshake of a process pays JIT and start-up; keep it out of the counts.</summary>
    private static async Task WarmUpAsync()
    {
        await using var pair = new DtlsPair(DtlsPair.ClientOptions(), DtlsPair.ServerOptions());
        pair.Start();
        await pair.ServerProbe.CompletedWithin(Bound);
        await pair.ClientProbe.CompletedWithin(Bound);
    }

    /// <summary>Polls a thread-state condition (not a protocol timer), every 5 ms, for at most 5 s.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    private static int ProcessThreadCount()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }

    /// <summary>Threads whose OS name starts with <paramref name="prefix"/> (Linux: /proc/self/task/*/comm); -1 elsewhere.</summary>
    private static int NamedThreads(string prefix)
    {
        const string Tasks = "/proc/self/task";
        if (!Directory.Exists(Tasks))
        {
            return -1;
        }

        int count = 0;
        foreach (string task in Directory.EnumerateDirectories(Tasks))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(prefix, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }

        return count;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }
}
