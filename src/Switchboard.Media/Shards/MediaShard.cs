using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Switchboard.Media.Shards;

/// <summary>
/// One loop on one thread that owns a set of members end to end (design/ARCHITECTURE.md, "Call shards"):
/// their sockets sit in the shard's poller, their timers in its heap, and work for them from other
/// threads arrives through its mailbox. Both legs of a call live on one shard, so relaying a packet is
/// a function call on this thread: no lock, no queue, no allocation. The loop: wait for a readable
/// socket, a posted item or the earliest deadline; hand each ready socket's datagram to its member; run
/// the mailbox; fire due timers; re-poll members that received something (their deadlines may be earlier now).
/// </summary>
public sealed partial class MediaShard : IAsyncDisposable
{
    /// <summary>The loop wakes at least this often even with nothing due, so a stop is never missed.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(1);

    private const int ReadyBatch = 256;
    private const int BufferSize = 2048;

    private readonly IMediaPoller _poller;
    private readonly TimeProvider _time;
    private readonly long _epoch;
    private readonly ILogger _log;
    private readonly Queue<Action> _mailboxLocal = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<Action> _mailbox = new();
    private readonly List<ShardSlot?> _slots = [];
    private readonly Stack<int> _freeSlots = new();
    private readonly PriorityQueue<ShardSlot, long> _timers = new();
    private readonly List<ShardSlot> _dirty = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _members;
    private uint _generation;
    private long _datagrams;
    private long _wakeups;

    private readonly int _bufferSize;

    /// <param name="name">The thread's name (default <c>media-shard-N</c>).</param>
    /// <param name="bufferSize">The receive buffer: a media datagram fits in 2 KB; a loop that reads SIP over UDP needs 64 KB.</param>
    public MediaShard(int index, IMediaNetwork network, TimeProvider time, ILogger log, string? name = null, int bufferSize = BufferSize)
    {
        _bufferSize = bufferSize;
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(time);
        Index = index;
        _time = time;
        _epoch = time.GetTimestamp();
        _log = log;
        _poller = network.CreatePoller(time);
        Context = new ShardSynchronizationContext(this);
        _thread = new Thread(Run) { IsBackground = true, Name = name ?? "media-shard-" + index };
        _thread.Start();
    }

    public int Index { get; }

    /// <summary>The shard's clock: time since the shard started, on the injected provider.</summary>
    public TimeSpan Now => _time.GetElapsedTime(_epoch);

    public TimeProvider Time => _time;

    /// <summary>Work buffers for the members' sessions; only this shard's thread uses them.</summary>
    public MediaScratch Scratch { get; } = new();

    /// <summary>True on the shard's own thread: a member may be called directly, not through <see cref="Post"/>.</summary>
    public bool IsCurrent => Thread.CurrentThread == _thread;

    /// <summary>Members now registered (read from any thread; approximate there).</summary>
    public int Members => Volatile.Read(ref _members);

    /// <summary>Datagrams handed to members since start.</summary>
    public long Datagrams => Interlocked.Read(ref _datagrams);

    /// <summary>Times the loop came back from its wait.</summary>
    public long Wakeups => Interlocked.Read(ref _wakeups);

    /// <summary>Await on this context to continue on the shard's thread (the call's own code runs here).</summary>
    public SynchronizationContext Context { get; }

    /// <summary>Runs <paramref name="work"/> on the shard's thread, after what is already queued. Any thread.</summary>
    public void Post(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        _mailbox.Enqueue(work);
        if (IsCurrent)
        {
            return;
        }

        if (_exited.Task.IsCompleted)
        {
            // The loop is gone (shutdown): nobody else will run it, so the poster does.
            DrainAfterExit();
            return;
        }

        _poller.Wake();
    }

    /// <summary>Runs <paramref name="work"/> on the shard (at once when already there); the task ends when the work's task does.</summary>
    public Task InvokeAsync(Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (IsCurrent)
        {
            return work();
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                work().ContinueWith(static (task, state) => ((TaskCompletionSource)state!).TrySetFromTask(task), done,
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                done.TrySetException(ex);
            }
        });
        return done.Task;
    }

    /// <summary>Runs <paramref name="work"/> now when on the shard's thread, else posts it.</summary>
    public void Run(Action work)
    {
        if (IsCurrent)
        {
            work();
        }
        else
        {
            Post(work);
        }
    }

    /// <summary>Adds a member (and its socket to the poller) and polls it at once. Shard thread only.</summary>
    public ShardSlot Register(IShardMember member, IMediaSocket? socket)
    {
        AssertCurrent();
        var index = _freeSlots.Count > 0 ? _freeSlots.Pop() : AddSlot();
        // A new generation per registration: an event still in flight for the slot's previous member is recognised and dropped.
        var slot = new ShardSlot(this, member, socket, index) { Generation = ++_generation };
        _slots[index] = slot;
        if (socket is not null)
        {
            _poller.Add(socket, slot.Token);
        }

        Interlocked.Increment(ref _members);
        MarkDirty(slot);
        return slot;
    }

    /// <summary>Removes a member: no datagram, timer or poll reaches it afterwards. Shard thread only; the caller disposes the socket.</summary>
    public void Unregister(ShardSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        AssertCurrent();
        if (!slot.Active)
        {
            return;
        }

        slot.Active = false;
        if (slot.Socket is not null)
        {
            _poller.Remove(slot.Socket);
        }

        _slots[slot.Index] = null;
        _freeSlots.Push(slot.Index);
        Interlocked.Decrement(ref _members);
    }

    /// <summary>Asks for the member's <see cref="IShardMember.Poll"/> soon (its deadlines changed). Any thread.</summary>
    public void RequestPoll(ShardSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        if (IsCurrent)
        {
            MarkDirty(slot);
        }
        else
        {
            Post(() => MarkDirty(slot));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _poller.Wake();
        await _exited.Task.ConfigureAwait(false);
        _poller.Dispose();
    }

    private int AddSlot()
    {
        _slots.Add(null);
        return _slots.Count - 1;
    }

    private void AssertCurrent()
    {
        if (!IsCurrent)
        {
            throw new InvalidOperationException("Only the shard's own thread may do this; use Post.");
        }
    }

    private void MarkDirty(ShardSlot slot)
    {
        if (slot.Active && !slot.Dirty)
        {
            slot.Dirty = true;
            _dirty.Add(slot);
        }
    }

    private void Run()
    {
        SynchronizationContext.SetSynchronizationContext(Context);
        Span<ulong> ready = stackalloc ulong[ReadyBatch];
        var buffer = new byte[_bufferSize];

        // One address per family, sized exactly: SocketAddress compares whole buffers, so a 28-byte buffer
        // holding an IPv4 address would never equal the 16-byte one a leg latched.
        var sourceV4 = new SocketAddress(AddressFamily.InterNetwork);
        var sourceV6 = new SocketAddress(AddressFamily.InterNetworkV6);
        try
        {
            while (!_stopping)
            {
                var count = _poller.Wait(ready, _mailbox.IsEmpty && _dirty.Count == 0 ? NextWait() : TimeSpan.Zero);
                Interlocked.Increment(ref _wakeups);
                var now = Now;
                for (var i = 0; i < count; i++)
                {
                    Receive(ready[i], buffer, sourceV4, sourceV6, now);
                }

                RunMailbox();
                now = Now;
                FireTimers(now);
                PollDirty(now);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogShardFailed(_log, ex, Index);
        }
        finally
        {
            RunMailbox();
            _exited.TrySetResult();
            DrainAfterExit();
        }
    }

    private void Receive(ulong token, byte[] buffer, SocketAddress sourceV4, SocketAddress sourceV6, TimeSpan now)
    {
        var index = (int)(uint)token;
        if (index >= _slots.Count || _slots[index] is not { } slot || slot.Token != token || slot.Socket is null)
        {
            return;
        }

        // One datagram per readiness: the poller is level-triggered, so a socket with more waiting is reported again.
        var source = slot.Socket.AddressFamily == AddressFamily.InterNetworkV6 ? sourceV6 : sourceV4;
        var length = slot.Socket.TryReceive(buffer, source);
        if (length < 0)
        {
            return;
        }

        _datagrams++;
        try
        {
            slot.Member.OnDatagram(buffer.AsSpan(0, length), source, now);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogMemberFailed(_log, ex, Index);
        }

        MarkDirty(slot);
    }

    private void RunMailbox()
    {
        // Only what is queued now: work that posts more work runs in the next turn, after the sockets.
        while (_mailbox.TryDequeue(out var work))
        {
            _mailboxLocal.Enqueue(work);
        }

        while (_mailboxLocal.TryDequeue(out var work))
        {
            try
            {
                work();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogMemberFailed(_log, ex, Index);
            }
        }
    }

    /// <summary>After the loop ended, whoever posts runs the work (straight from the concurrent queue: several posters may race).</summary>
    private void DrainAfterExit()
    {
        while (_mailbox.TryDequeue(out var work))
        {
            try
            {
                work();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogMemberFailed(_log, ex, Index);
            }
        }
    }

    private void FireTimers(TimeSpan now)
    {
        while (_timers.TryPeek(out var slot, out var deadline) && deadline <= now.Ticks)
        {
            _timers.Dequeue();
            if (!slot.Active || !slot.InHeap || slot.HeapDeadline != deadline)
            {
                continue;
            }

            slot.InHeap = false;
            PollMember(slot, now);
        }
    }

    private void PollDirty(TimeSpan now)
    {
        for (var i = 0; i < _dirty.Count; i++)
        {
            var slot = _dirty[i];
            slot.Dirty = false;
            if (slot.Active)
            {
                PollMember(slot, now);
            }
        }

        _dirty.Clear();
    }

    private void PollMember(ShardSlot slot, TimeSpan now)
    {
        TimeSpan next;
        try
        {
            next = slot.Member.Poll(now);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogMemberFailed(_log, ex, Index);
            next = now + MaxWait;
        }

        if (!slot.Active)
        {
            return;
        }

        // A later deadline leaves the earlier heap entry in place: it fires, polls once more, and
        // reschedules; so the heap holds at most one live entry per member and never needs a removal.
        var ticks = Math.Min(next.Ticks, (now + MaxWait).Ticks);
        if (slot.InHeap && ticks >= slot.HeapDeadline)
        {
            return;
        }

        slot.InHeap = true;
        slot.HeapDeadline = ticks;
        _timers.Enqueue(slot, ticks);
    }

    private TimeSpan NextWait()
    {
        if (!_timers.TryPeek(out _, out var deadline))
        {
            return MaxWait;
        }

        var wait = TimeSpan.FromTicks(deadline) - Now;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxWait ? MaxWait : wait;
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Error, Message = "Media shard {Shard}: a member failed")]
    private static partial void LogMemberFailed(ILogger logger, Exception exception, int shard);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Critical, Message = "Media shard {Shard} stopped on an error")]
    private static partial void LogShardFailed(ILogger logger, Exception exception, int shard);
}
