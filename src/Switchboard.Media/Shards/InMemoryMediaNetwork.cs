using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Media.Shards;

/// <summary>
/// A simulated datagram network for whole-PBX tests: ports bind to addresses in a table, a send copies
/// the datagram into the destination's queue, and a seeded random drops or reorders what it is told to.
/// Its pollers wait on the injected clock, so a test on a fake clock decides when timers fire.
/// </summary>
public sealed class InMemoryMediaNetwork(double lossRate = 0, double reorderRate = 0, int seed = 1) : IMediaNetwork
{
    private readonly ConcurrentDictionary<IPEndPoint, InMemoryMediaSocket> _ports = new();
    private readonly Random _random = new(seed);
    private readonly Lock _faults = new();
    private readonly Dictionary<IPEndPoint, (byte[] Data, SocketAddress From)> _held = [];

    /// <summary>Datagrams sent to an address nobody holds, or dropped by <c>lossRate</c>.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    private long _dropped;

    public IMediaSocket? TryBind(IPEndPoint endPoint) => Bind(endPoint);

    /// <summary>Whether a port that <paramref name="holds"/> selects still has datagrams waiting to be read (for tests that wait until a side settled).</summary>
    public bool HasQueued(Func<IPEndPoint, bool> holds)
    {
        ArgumentNullException.ThrowIfNull(holds);
        return _ports.Any(p => holds(p.Key) && p.Value.HasData);
    }

    /// <summary>A port for a test's own peer, read with <see cref="InMemoryMediaSocket.TryReceive"/> or <see cref="InMemoryMediaSocket.WaitAsync"/>.</summary>
    public InMemoryMediaSocket? Bind(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new InMemoryMediaSocket(this, endPoint);
        return _ports.TryAdd(endPoint, socket) ? socket : null;
    }

    public IMediaPoller CreatePoller(TimeProvider time) => new InMemoryPoller(time);

    internal void Unbind(InMemoryMediaSocket socket) => _ports.TryRemove(new KeyValuePair<IPEndPoint, InMemoryMediaSocket>(socket.LocalEndPoint, socket));

    internal bool Deliver(InMemoryMediaSocket from, ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        var to = (IPEndPoint)from.LocalEndPoint.Create(destination);
        if (!_ports.TryGetValue(to, out var target))
        {
            Interlocked.Increment(ref _dropped);
            return true;
        }

        var copy = datagram.ToArray();
        var source = from.LocalEndPoint.Serialize();
        (byte[] Data, SocketAddress From)? release = null;
        lock (_faults)
        {
            if (lossRate > 0 && _random.NextDouble() < lossRate)
            {
                Interlocked.Increment(ref _dropped);
                return true;
            }

            if (reorderRate > 0)
            {
                // Hold one datagram per destination back and let the next one overtake it.
                if (_held.Remove(to, out var held))
                {
                    release = held;
                }
                else if (_random.NextDouble() < reorderRate)
                {
                    _held[to] = (copy, source);
                    return true;
                }
            }
        }

        target.Enqueue(copy, source);
        if (release is { } late)
        {
            target.Enqueue(late.Data, late.From);
        }

        return true;
    }
}

/// <summary>A port of <see cref="InMemoryMediaNetwork"/>.</summary>
public sealed class InMemoryMediaSocket : IMediaSocket
{
    private readonly InMemoryMediaNetwork _network;
    private readonly ConcurrentQueue<(byte[] Data, SocketAddress From)> _queue = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private volatile InMemoryPoller? _poller;

    internal InMemoryMediaSocket(InMemoryMediaNetwork network, IPEndPoint endPoint)
    {
        _network = network;
        LocalEndPoint = endPoint;
    }

    public IPEndPoint LocalEndPoint { get; }

    public AddressFamily AddressFamily => LocalEndPoint.AddressFamily;

    internal bool HasData => !_queue.IsEmpty;

    public int TryReceive(Span<byte> buffer, SocketAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!_queue.TryDequeue(out var item))
        {
            return -1;
        }

        var length = Math.Min(item.Data.Length, buffer.Length);
        item.Data.AsSpan(0, length).CopyTo(buffer);
        source.Size = item.From.Size;
        item.From.Buffer.Span[..item.From.Size].CopyTo(source.Buffer.Span);
        return length;
    }

    /// <summary>For a test's own peer: waits (real time, bounded by the token) until a datagram is queued.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _arrived.WaitAsync(cancellationToken);

    public bool Send(ReadOnlySpan<byte> datagram, SocketAddress destination) => _network.Deliver(this, datagram, destination);

    public int Discard(int max)
    {
        var dropped = 0;
        while (dropped < max && _queue.TryDequeue(out _))
        {
            dropped++;
        }

        return dropped;
    }

    public void Dispose()
    {
        _network.Unbind(this);
        _poller = null;
    }

    internal void AttachPoller(InMemoryPoller? poller) => _poller = poller;

    internal void Enqueue(byte[] data, SocketAddress from)
    {
        _queue.Enqueue((data, from));
        _arrived.Release();
        _poller?.Wake();
    }
}

/// <summary>Level-triggered readiness over in-memory ports; timeouts run on the injected clock.</summary>
internal sealed class InMemoryPoller(TimeProvider time) : IMediaPoller
{
    private readonly ConcurrentDictionary<InMemoryMediaSocket, ulong> _sockets = new();
    private readonly SemaphoreSlim _signal = new(0);

    public void Add(IMediaSocket socket, ulong token)
    {
        var port = (InMemoryMediaSocket)socket;
        _sockets[port] = token;
        port.AttachPoller(this);
        Wake();
    }

    public void Remove(IMediaSocket socket)
    {
        var port = (InMemoryMediaSocket)socket;
        _sockets.TryRemove(port, out _);
        port.AttachPoller(null);
    }

    public int Wait(Span<ulong> ready, TimeSpan timeout)
    {
        var count = Scan(ready);
        if (count > 0 || timeout <= TimeSpan.Zero)
        {
            return count;
        }

        // The clock may be a test's fake one: its timer, not the wall clock, ends the wait.
        using var timer = time.CreateTimer(static state => ((InMemoryPoller)state!).Wake(), this, timeout, Timeout.InfiniteTimeSpan);
        _signal.Wait();
        return Scan(ready);
    }

    public void Wake()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (ObjectDisposedException)
        {
            // The shard stopped: nothing waits any more.
        }
    }

    public void Dispose() => _signal.Dispose();

    private int Scan(Span<ulong> ready)
    {
        var count = 0;
        foreach (var (socket, token) in _sockets)
        {
            if (count == ready.Length)
            {
                break;
            }

            if (socket.HasData)
            {
                ready[count++] = token;
            }
        }

        return count;
    }
}
