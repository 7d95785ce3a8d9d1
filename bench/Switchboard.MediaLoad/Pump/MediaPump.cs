using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Switchboard.MediaLoad.Native;

namespace Switchboard.MediaLoad.Pump;

/// <summary>
/// One generator thread owning a Linux epoll set over many non-blocking UDP sockets. It receives whatever is
/// readable, and runs a timer wheel of 20 one-millisecond slots: every endpoint sits in one slot and gets its tick
/// once per 20 ms packet period, so 1,000 streams send 50 packets per millisecond rather than 1,000 in a burst.
/// Buffers are the pump's own; nothing is allocated per packet.
/// </summary>
internal sealed class MediaPump : IDisposable
{
    private const int Slots = 20;
    private const int MaxEvents = 256;
    private const int MaxEndpoints = 1 << 14;
    private static readonly long SlotTicks = Stopwatch.Frequency / 1000;
    private static readonly long LateTicks = Stopwatch.Frequency / 200;
    private static readonly long MaxLagTicks = Stopwatch.Frequency * 3 / 50;
    private readonly MediaEndpoint?[] _endpoints = new MediaEndpoint?[MaxEndpoints];
    private readonly List<MediaEndpoint>[] _wheel = Enumerable.Range(0, Slots).Select(_ => new List<MediaEndpoint>()).ToArray();
    private readonly ConcurrentQueue<MediaEndpoint> _added = new();
    private readonly ConcurrentQueue<MediaEndpoint> _retired = new();
    private readonly ConcurrentQueue<int> _freeIds = new();
    private readonly LoadPhase _phase;
    private readonly int _epoll;
    private readonly Thread _thread;
    private volatile bool _stop;
    private int _nextId;
    private int _live;

    public MediaPump(LoadPhase phase, string name)
    {
        _phase = phase;
        _epoll = Libc.epoll_create1(0);
        if (_epoll < 0)
        {
            throw new InvalidOperationException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public PumpStats Stats { get; } = new();

    /// <summary>Endpoints now in the pump (added and not yet retired): a soak reads it to see the generator itself does not leak.</summary>
    public int Live => Volatile.Read(ref _live);

    /// <summary>Takes an endpoint (from any thread): its socket joins the epoll set, and it joins the wheel.</summary>
    public void Add(MediaEndpoint endpoint)
    {
        // Ids of retired endpoints are reused, so an hour of churning calls stays inside the fixed table.
        if (!_freeIds.TryDequeue(out var id))
        {
            id = Interlocked.Increment(ref _nextId);
        }

        if (id >= MaxEndpoints)
        {
            throw new InvalidOperationException("Too many media endpoints for one pump.");
        }

        Interlocked.Increment(ref _live);
        endpoint.Id = id;
        endpoint.Owner = this;
        Volatile.Write(ref _endpoints[id], endpoint);
        var ev = new EpollEvent { Events = Libc.EpollIn, Data = (ulong)id };
        if (Libc.epoll_ctl(_epoll, Libc.EpollCtlAdd, endpoint.Fd, ref ev) != 0)
        {
            throw new InvalidOperationException($"epoll_ctl failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _added.Enqueue(endpoint);
    }

    /// <summary>An ended stream (from any thread): the pump thread takes it off the wheel and the epoll set, closes it, and frees its id.</summary>
    public void Retire(MediaEndpoint endpoint) => _retired.Enqueue(endpoint);

    /// <summary>
    /// Sum and count of the current RFC 3550 jitter of every endpoint that has received, per receiving direction.
    /// Read from another thread: each value is one aligned double, so a read may be a packet stale, never torn.
    /// </summary>
    public void AddJitter(double[] sums, int[] counts)
    {
        var last = Math.Min(Volatile.Read(ref _nextId), MaxEndpoints - 1);
        for (var id = 1; id <= last; id++)
        {
            if (Volatile.Read(ref _endpoints[id]) is { HasReceived: true } endpoint)
            {
                sums[endpoint.ReceiveDirection] += endpoint.JitterMs;
                counts[endpoint.ReceiveDirection]++;
            }
        }
    }

    /// <summary>Stops the thread and closes every endpoint it owns.</summary>
    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        foreach (var endpoint in _endpoints)
        {
            endpoint?.Dispose();
        }

        _ = Libc.close(_epoll);
    }

    private void Run()
    {
        var events = new EpollEvent[MaxEvents];
        var buffer = new byte[2048];
        var scratch = new byte[2048];
        var payload = new byte[TestPayload.Length];
        TestPayload.Init(payload);
        var slot = 0;
        var nextTick = Stopwatch.GetTimestamp() + SlotTicks;
        while (!_stop)
        {
            var wait = nextTick - Stopwatch.GetTimestamp();
            var timeoutMs = wait <= 0 ? 0 : (int)((wait + SlotTicks - 1) / SlotTicks);
            var ready = Libc.epoll_wait(_epoll, ref events[0], MaxEvents, timeoutMs);
            for (var i = 0; i < ready; i++)
            {
                if (Volatile.Read(ref _endpoints[(int)events[i].Data]) is { } endpoint)
                {
                    Drain(endpoint, buffer);
                }
            }

            var now = Stopwatch.GetTimestamp();
            var lag = now - nextTick;
            if (lag > LateTicks)
            {
                Stats.LateTicks++;
            }

            if (lag > MaxLagTicks)
            {
                // Starved for more than three packet periods: skip the missed slots rather than send the backlog in a
                // burst a real phone would never send (and that would land in a later measuring window).
                var skipped = lag / SlotTicks;
                nextTick += skipped * SlotTicks;
                slot = (int)((slot + skipped) % Slots);
                Stats.SkippedSlots += skipped;
            }

            while (now >= nextTick)
            {
                while (_added.TryDequeue(out var added))
                {
                    _wheel[added.Id % Slots].Add(added);
                }

                // After the additions: an endpoint retired right after it was added is on the wheel by now.
                while (_retired.TryDequeue(out var retired))
                {
                    Close(retired);
                }

                foreach (var endpoint in _wheel[slot])
                {
                    endpoint.OnTick(scratch, payload, now, _phase, Stats);
                }

                slot = (slot + 1) % Slots;
                nextTick += SlotTicks;
            }
        }
    }

    /// <summary>On the pump thread: out of the wheel and the epoll set before the socket closes, so no event names a reused id.</summary>
    private void Close(MediaEndpoint endpoint)
    {
        if (!ReferenceEquals(Volatile.Read(ref _endpoints[endpoint.Id]), endpoint))
        {
            return; // retired twice (a BYE racing the hang-up): already closed
        }

        _wheel[endpoint.Id % Slots].Remove(endpoint);
        var ev = default(EpollEvent);
        _ = Libc.epoll_ctl(_epoll, Libc.EpollCtlDel, endpoint.Fd, ref ev);
        Volatile.Write(ref _endpoints[endpoint.Id], null);
        endpoint.Dispose();
        Interlocked.Decrement(ref _live);
        _freeIds.Enqueue(endpoint.Id);
    }

    private void Drain(MediaEndpoint endpoint, byte[] buffer)
    {
        while (true)
        {
            var received = Libc.recv(endpoint.Fd, ref buffer[0], buffer.Length, Libc.MsgDontWait);
            if (received < 0)
            {
                return; // EAGAIN: drained (or the socket has an error queued: nothing to do but move on).
            }

            endpoint.OnDatagram(buffer.AsSpan(0, (int)received), Stopwatch.GetTimestamp(), Stats);
        }
    }
}
