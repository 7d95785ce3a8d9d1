using System.Buffers;

namespace Switchboard.Media.Dtls;

/// <summary>
/// A bounded FIFO of datagrams copied into pooled buffers, for one producer thread and one consumer
/// thread. A full queue drops the new datagram, as a socket buffer would.
/// </summary>
/// <remarks>
/// Every WebRTC leg keeps two of these for its whole call, and after the handshake they carry next to
/// nothing (a retransmitted flight, close_notify). A <see cref="System.Collections.Concurrent.ConcurrentQueue{T}"/>
/// starts with a 32-slot segment, about 1 KB per queue whatever it carries; a <see cref="Queue{T}"/>
/// grows only as far as the handshake's flights need (a few entries), and its lock is taken per DTLS
/// datagram, never per media packet (docs/benchmarks-media-load.md, "Memory per call").
/// </remarks>
internal sealed class DatagramQueue : IDisposable
{
    private readonly Queue<(byte[] Buffer, int Length)> _items = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly int _capacity;
    private int _count;
    private long _dropped;
    private volatile bool _disposed;

    public DatagramQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>Datagrams refused because the queue was full, or too large.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public int Count => Volatile.Read(ref _count);

    public bool TryEnqueue(ReadOnlySpan<byte> datagram)
    {
        if (_disposed || datagram.IsEmpty)
        {
            return false;
        }

        if (datagram.Length > DtlsLimits.MaxDatagramSize)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }

        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Increment(ref _dropped);
            return false;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(datagram.Length);
        datagram.CopyTo(buffer);
        lock (_gate)
        {
            if (_disposed)
            {
                // Disposed since the check above: nobody will take it, so it goes back to the pool now.
                ArrayPool<byte>.Shared.Return(buffer);
                Interlocked.Decrement(ref _count);
                return false;
            }

            _items.Enqueue((buffer, datagram.Length));
        }

        _available.Release();
        return true;
    }

    /// <summary>Takes the next datagram without waiting.</summary>
    public bool TryDequeue(Span<byte> destination, out int length)
    {
        if (_disposed || !_available.Wait(0))
        {
            length = 0;
            return false;
        }

        length = TakeOne(destination);
        return true;
    }

    /// <summary>
    /// Waits up to <paramref name="millisecondsTimeout"/> (<see cref="Timeout.Infinite"/> for no
    /// limit) for a datagram. False on timeout; <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires. A datagram longer than
    /// <paramref name="destination"/> is truncated, like a UDP receive.
    /// </summary>
    public bool TryDequeue(Span<byte> destination, int millisecondsTimeout, CancellationToken cancellationToken, out int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_available.Wait(millisecondsTimeout, cancellationToken))
        {
            length = 0;
            return false;
        }

        length = TakeOne(destination);
        return true;
    }

    private int TakeOne(Span<byte> destination)
    {
        // The semaphore count never exceeds the number of queued items.
        (byte[] Buffer, int Length) item;
        lock (_gate)
        {
            if (!_items.TryDequeue(out item))
            {
                throw new InvalidOperationException("DatagramQueue: semaphore and queue out of step.");
            }
        }

        Interlocked.Decrement(ref _count);
        int length = Math.Min(item.Length, destination.Length);
        item.Buffer.AsSpan(0, length).CopyTo(destination);
        ArrayPool<byte>.Shared.Return(item.Buffer);
        return length;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (_gate)
        {
            while (_items.TryDequeue(out (byte[] Buffer, int Length) item))
            {
                ArrayPool<byte>.Shared.Return(item.Buffer);
            }
        }

        // The semaphore is not disposed: the other side may still touch it in a race with this
        // call, and without AvailableWaitHandle it holds nothing that needs releasing.
    }
}
