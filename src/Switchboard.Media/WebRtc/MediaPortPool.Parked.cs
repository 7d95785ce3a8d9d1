using Switchboard.Media.Shards;

namespace Switchboard.Media.WebRtc;

/// <summary>
/// The parked sockets: a queue in the order they were returned, so its head is always the one that has
/// waited longest. Legs rent on their call's thread and return on their shard's, so several threads use
/// it; a short lock around the queue (no system call inside) is the simplest correct thing, and it is
/// taken twice per leg, never per packet. The draining and closing happen outside it.
/// </summary>
public sealed partial class MediaPortPool
{
    /// <summary>More than a socket's receive buffer holds: a port still being flooded after its quarantine is closed, not handed out.</summary>
    private const int MaxDiscard = 4096;

    private readonly Lock _lock = new();
    private readonly Queue<Parked> _parked = new();
    private readonly bool[] _parkedPorts;
    private readonly int _maxParked;
    private bool _disposed;
    private long _reused;

    /// <summary>Sockets now parked.</summary>
    public int ParkedCount
    {
        get
        {
            lock (_lock)
            {
                return _parked.Count;
            }
        }
    }

    /// <summary>Rents served by a parked socket since start.</summary>
    public long Reused => Interlocked.Read(ref _reused);

    /// <summary>Whether <paramref name="port"/> is parked here: a leg returned it and no leg holds it now.</summary>
    public bool IsParked(int port) => port >= _options.PortMin && port <= _options.PortMax && Volatile.Read(ref _parkedPorts[port - _options.PortMin]);

    /// <summary>
    /// Takes back a socket <see cref="Rent"/> gave, once its leg no longer reads or sends on it (out of its shard's
    /// poller): parked for a later leg, or closed when the pool is full or disposed. Any thread.
    /// </summary>
    public void Return(IMediaSocket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Interlocked.Decrement(ref _inUse);
        var port = socket.LocalEndPoint.Port;
        if (port >= _options.PortMin && port <= _options.PortMax)
        {
            lock (_lock)
            {
                if (!_disposed && _parked.Count < _maxParked)
                {
                    _parked.Enqueue(new Parked(socket, _time.GetTimestamp()));
                    Volatile.Write(ref _parkedPorts[port - _options.PortMin], true);
                    return;
                }
            }
        }

        socket.Dispose();
    }

    /// <summary>Closes every parked socket; a socket returned afterwards is closed at once.</summary>
    public void Dispose()
    {
        Parked[] closing;
        lock (_lock)
        {
            _disposed = true;
            closing = [.. _parked];
            _parked.Clear();
            Array.Clear(_parkedPorts);
        }

        foreach (var parked in closing)
        {
            parked.Socket.Dispose();
        }
    }

    private IMediaSocket? TryReuse(bool ignoreQuarantine)
    {
        while (true)
        {
            IMediaSocket socket;
            lock (_lock)
            {
                if (!_parked.TryPeek(out var oldest) || (!ignoreQuarantine && _time.GetElapsedTime(oldest.Since) < _options.PortQuarantine))
                {
                    return null;
                }

                socket = _parked.Dequeue().Socket;
                Volatile.Write(ref _parkedPorts[socket.LocalEndPoint.Port - _options.PortMin], false);
            }

            // What the previous call's far end sent while the port was parked must not reach the next leg:
            // an RTP leg latches onto the first valid packet from any address (RtpSession.AcceptFrom).
            if (socket.Discard(MaxDiscard) < MaxDiscard)
            {
                Interlocked.Increment(ref _reused);
                return socket;
            }

            socket.Dispose();
        }
    }

    private readonly record struct Parked(IMediaSocket Socket, long Since);
}
