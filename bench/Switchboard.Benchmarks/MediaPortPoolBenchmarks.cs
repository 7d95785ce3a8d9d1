using System.Net;
using BenchmarkDotNet.Attributes;
using Switchboard.Media.Shards;
using Switchboard.Media.WebRtc;

namespace Switchboard.Benchmarks;

/// <summary>
/// What one media leg costs the kernel and the GC at set-up and tear-down, on real loopback UDP: rent a port,
/// add it to an epoll set (what <c>MediaShard.Register</c> does), take it out, give it back. Fresh: the pool
/// closes what it is given (no parking), so every rent is socket() + bind() and every return a close().
/// Pooled: no quarantine, so every rent reuses the socket parked by the previous iteration (one empty
/// recv to drain it).
/// </summary>
[MemoryDiagnoser]
public class MediaPortPoolBenchmarks : IDisposable
{
    private MediaPortPool _fresh = null!;
    private MediaPortPool _pooled = null!;
    private IMediaPoller _poller = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fresh = new MediaPortPool(Options(41000, maxParked: 0));
        _pooled = new MediaPortPool(Options(42000, maxParked: 64));
        _poller = UdpMediaNetwork.Instance.CreatePoller(TimeProvider.System);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        _fresh.Dispose();
        _pooled.Dispose();
        _poller.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int Fresh() => Cycle(_fresh);

    [Benchmark]
    public int Pooled() => Cycle(_pooled);

    private int Cycle(MediaPortPool pool)
    {
        var socket = pool.Rent() ?? throw new InvalidOperationException("no free port");
        _poller.Add(socket, 1);
        _poller.Remove(socket);
        pool.Return(socket);
        return socket.LocalEndPoint.Port;
    }

    private static MediaOptions Options(int first, int maxParked) => new()
    {
        BindAddress = IPAddress.Loopback, PortMin = first, PortMax = first + 999, PortQuarantine = TimeSpan.Zero, MaxParkedPorts = maxParked,
    };
}
