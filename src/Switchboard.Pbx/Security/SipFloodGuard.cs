using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Switchboard.Pbx.Security;

/// <summary>
/// Per-source request rate limit, after Kamailio's pike module, sans-IO: requests are counted per source (IPv4
/// address, IPv6 /64) in a sliding window estimated from two fixed windows (the previous one weighted by how much of
/// it still overlaps the sliding window). A source whose estimate goes over the rate is blocked: its requests are
/// dropped, and still counted, so a flood that keeps going stays blocked. <see cref="Sweep"/>, run about once a
/// window, releases a blocked source once its estimate is back under the rate (after at least one window) and forgets
/// sources idle for two windows. Not thread-safe: one owner, or a lock around it (<see cref="Sip.SipFloodGate"/>).
/// </summary>
public sealed class SipFloodGuard(SipFloodOptions options, Func<IPAddress, bool>? trusted = null)
{
    private readonly Dictionary<SipFloodSource, Entry> _sources = [];
    private readonly long _window = Math.Max(1, options.Window.Ticks);
    private long _nextRoomSearch;

    /// <summary>How many sources are tracked now (at most <see cref="SipFloodOptions.MaxSources"/>).</summary>
    public int Tracked => _sources.Count;

    /// <summary>Requests admitted although their source could not be tracked (the table was full of active sources).</summary>
    public long Untracked { get; private set; }

    /// <summary>Counts one request from <paramref name="source"/>; allocation-free for a source already tracked.</summary>
    public SipFloodVerdict Check(IPAddress source, DateTimeOffset now)
    {
        if (!options.Enabled)
        {
            return SipFloodVerdict.Admit;
        }

        var key = SipFloodSource.Of(source);
        var ticks = now.UtcTicks;
        ref var e = ref CollectionsMarshal.GetValueRefOrNullRef(_sources, key);
        if (Unsafe.IsNullRef(ref e))
        {
            if (!MakeRoom(ticks))
            {
                // Failing open: a table full of active sources is a spread-out flood, which one source's limit
                // cannot stop anyway, and blocking unknown sources would lock out the phones it is meant to protect.
                Untracked++;
                return SipFloodVerdict.Admit;
            }

            e = ref CollectionsMarshal.GetValueRefOrAddDefault(_sources, key, out _);
            e.WindowStart = ticks;
        }

        Roll(ref e, ticks);
        if (e.Current < int.MaxValue)
        {
            e.Current++;
        }

        e.LastSeen = ticks;
        if (e.Blocked)
        {
            e.Dropped++;
            return SipFloodVerdict.Drop;
        }

        if (Estimate(in e, ticks) <= options.Rate || IsExempt(ref e, source, ticks))
        {
            return SipFloodVerdict.Admit;
        }

        e.Blocked = true;
        e.BlockedAt = ticks;
        e.Dropped = 1;
        return SipFloodVerdict.BlockStarted;
    }

    /// <summary>Releases blocked sources whose rate fell back under the limit (added to <paramref name="released"/>) and forgets idle ones.</summary>
    public void Sweep(DateTimeOffset now, ICollection<SipFloodRelease> released)
    {
        var ticks = now.UtcTicks;
        foreach (var key in _sources.Keys)
        {
            ref var e = ref CollectionsMarshal.GetValueRefOrNullRef(_sources, key);
            Roll(ref e, ticks);
            if (e.Blocked)
            {
                if (ticks - e.BlockedAt >= _window && Estimate(in e, ticks) <= options.Rate)
                {
                    released.Add(new SipFloodRelease(key, e.Dropped, TimeSpan.FromTicks(ticks - e.BlockedAt)));
                    e.Blocked = false;
                    e.Dropped = 0;
                }
            }
            else if (ticks - e.LastSeen >= 2 * _window)
            {
                // Both windows of its estimate are empty: it would start from nothing anyway. (Removing while
                // enumerating is allowed for Dictionary since .NET Core 3.0.)
                _sources.Remove(key);
            }
        }
    }

    /// <summary>Whether a source is being blocked now (for tests and the admin view).</summary>
    public bool IsBlocked(IPAddress source) =>
        _sources.TryGetValue(SipFloodSource.Of(source), out var e) && e.Blocked;

    /// <summary>Moves the fixed windows forward to the one holding <paramref name="ticks"/>.</summary>
    private void Roll(ref Entry e, long ticks)
    {
        var elapsed = ticks - e.WindowStart;
        if (elapsed < _window)
        {
            return;
        }

        var windows = elapsed / _window;
        e.Previous = windows == 1 ? e.Current : 0;
        e.Current = 0;
        e.WindowStart += windows * _window;
    }

    /// <summary>Requests in the sliding window ending now: all of this window's, and the share of the previous one it still overlaps.</summary>
    private long Estimate(in Entry e, long ticks)
    {
        var overlap = _window - Math.Clamp(ticks - e.WindowStart, 0, _window);
        return e.Current + (long)((double)e.Previous * overlap / _window);
    }

    /// <summary>Configured networks and trunk proxies are never blocked. Asked only when a source goes over the rate, and then remembered for a window.</summary>
    private bool IsExempt(ref Entry e, IPAddress source, long ticks)
    {
        if (ticks < e.ExemptUntil)
        {
            return true;
        }

        var exempt = trusted?.Invoke(source) == true;
        foreach (var network in options.Exempt)
        {
            exempt |= network.Contains(source.IsIPv4MappedToIPv6 && network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? source.MapToIPv4() : source);
        }

        e.ExemptUntil = exempt ? ticks + _window : 0;
        return exempt;
    }

    /// <summary>Whether a new source may be tracked: below the cap, or once idle sources are forgotten (searched at most four times a window).</summary>
    private bool MakeRoom(long ticks)
    {
        if (_sources.Count < options.MaxSources)
        {
            return true;
        }

        if (ticks < _nextRoomSearch)
        {
            return false;
        }

        _nextRoomSearch = ticks + (_window / 4);
        foreach (var (key, e) in _sources)
        {
            if (!e.Blocked && ticks - e.LastSeen >= _window)
            {
                _sources.Remove(key);
            }
        }

        return _sources.Count < options.MaxSources;
    }

    private struct Entry
    {
        public long WindowStart;
        public int Previous;
        public int Current;
        public long LastSeen;
        public bool Blocked;
        public long BlockedAt;
        public long Dropped;
        public long ExemptUntil;
    }
}
