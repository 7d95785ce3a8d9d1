using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Switchboard.Media.Dtls;

/// <summary>
/// A fixed number of dedicated background threads that run BouncyCastle's blocking DTLS handshakes,
/// one at a time each, taken from one queue. Threads are created on demand up to
/// <see cref="MaxWorkers"/> and then stay for the pool's life, so 1,000 calls cost
/// <see cref="MaxWorkers"/> threads, not 1,000. An endpoint holds a worker only while its handshake
/// runs; afterwards its owner drives the record layer (see <see cref="BouncyCastleDtlsEndpoint"/>).
/// </summary>
/// <remarks>
/// Dedicated threads rather than the .NET thread pool: a handshake blocks for network round trips
/// (and, in offerer mode, for the SDP answer), which would starve the thread pool that the sockets'
/// async completions need. A handshake keeps its deadline from <see cref="IDtlsEndpoint.Start"/>,
/// time spent queued included; one still queued at its deadline fails without ever taking a worker.
/// </remarks>
public sealed class DtlsHandshakePool : IDisposable
{
    private static readonly Lazy<DtlsHandshakePool> s_shared = new(() => new DtlsHandshakePool(DefaultWorkerCount, "dtls-hs"));

    private readonly ConcurrentQueue<IDtlsHandshakeJob> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = [];
    private readonly string _name;
    private readonly ILogger _logger;
    private int _queued;
    private int _waiting;
    private int _busy;
    private int _peakBusy;
    private long _completed;
    private volatile bool _disposed;

    /// <summary>A pool of at most <paramref name="maxWorkers"/> threads named <paramref name="name"/>-N.</summary>
    public DtlsHandshakePool(int maxWorkers, string name = "dtls-hs", ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWorkers, 1);
        ArgumentException.ThrowIfNullOrEmpty(name);
        MaxWorkers = maxWorkers;
        _name = name;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// max(16, 8 x processors): a worker is held for a handshake's whole wall time, mostly blocked on round trips, so
    /// the pool's rate is workers / handshake time. With 4 workers, 50 new WebRTC calls a second beside 500 live ones
    /// on 2 cores queued handshakes past their deadline (docs/media-dtls.md, "Threads").
    /// </summary>
    public static int DefaultWorkerCount => Math.Max(16, 8 * Environment.ProcessorCount);

    /// <summary>The process's pool, of <see cref="DefaultWorkerCount"/> workers, created on first use.</summary>
    public static DtlsHandshakePool Shared => s_shared.Value;

    /// <summary>The most threads this pool will create.</summary>
    public int MaxWorkers { get; }

    /// <summary>Threads created so far (never more than <see cref="MaxWorkers"/>).</summary>
    public int WorkerCount
    {
        get
        {
            lock (_threads)
            {
                return _threads.Count;
            }
        }
    }

    /// <summary>Workers running a handshake now.</summary>
    public int BusyCount => Volatile.Read(ref _busy);

    /// <summary>The most workers ever busy at once.</summary>
    public int PeakBusyCount => Volatile.Read(ref _peakBusy);

    /// <summary>Handshakes waiting for a worker (including ones that ended while queued and are not yet skipped).</summary>
    public int QueuedCount => Volatile.Read(ref _queued);

    /// <summary>Jobs a worker has finished (run to the end, or skipped because they ended while queued).</summary>
    public long CompletedCount => Interlocked.Read(ref _completed);

    internal void Enqueue(IDtlsHandshakeJob job)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int queued = Interlocked.Increment(ref _queued);
        _queue.Enqueue(job);
        if (queued > Volatile.Read(ref _waiting))
        {
            AddWorkerIfBelowMax();
        }

        _signal.Release();
    }

    /// <summary>Stops the workers once their current handshake ends; jobs still queued never run (their deadlines fail them).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // The semaphore and the token source stay undisposed: workers may still be in them, and
        // neither holds anything that needs releasing (no wait handle was asked for, no timer).
        _stop.Cancel();
    }

    private void AddWorkerIfBelowMax()
    {
        lock (_threads)
        {
            if (_threads.Count >= MaxWorkers || _disposed)
            {
                return;
            }

            var thread = new Thread(Work)
            {
                IsBackground = true,
                Name = $"{_name}-{_threads.Count}",
            };
            _threads.Add(thread);
            DtlsLog.PoolWorkerStarted(_logger, thread.Name, _threads.Count, MaxWorkers);
            thread.Start();
        }
    }

    private void Work()
    {
        while (!_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                _signal.Wait(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }

            if (!_queue.TryDequeue(out IDtlsHandshakeJob? job))
            {
                continue;
            }

            Interlocked.Decrement(ref _queued);
            int busy = Interlocked.Increment(ref _busy);
            InterlockedMax(ref _peakBusy, busy);
            try
            {
                job.RunOnWorker();
            }
#pragma warning disable CA1031 // A job's bug must not take a shared worker down with it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                DtlsLog.PoolJobThrew(_logger, e);
            }
            finally
            {
                // Counted before the worker shows idle, so that idle implies counted.
                Interlocked.Increment(ref _completed);
                Interlocked.Decrement(ref _busy);
            }
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

/// <summary>One queued handshake. <see cref="RunOnWorker"/> returns when the worker is free again.</summary>
internal interface IDtlsHandshakeJob
{
    void RunOnWorker();
}
