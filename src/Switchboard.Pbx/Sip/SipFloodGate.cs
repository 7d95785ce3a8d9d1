using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Security;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Sip;

/// <summary>
/// Where received SIP requests meet the <see cref="SipFloodGuard"/>, before the endpoint copies or parses them.
/// Transports call in from their own loops (the UDP loop, each connection), so the guard sits behind a lock: one
/// dictionary lookup per request under it. A timer sweeps once a window, releasing sources and forgetting idle ones.
/// Logs once when a source starts being blocked and once when it is released, never per dropped request.
/// </summary>
public sealed partial class SipFloodGate : IDisposable
{
    private readonly Lock _lock = new();
    private readonly SipFloodGuard _guard;
    private readonly SipFloodOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ITimer? _sweep;
    private long _admitted;
    private long _blocked;
    private long _blockedSources;

    public SipFloodGate(SipFloodOptions options, TimeProvider time, ILogger<SipFloodGate> log)
    {
        _options = options;
        _time = time;
        _log = log;
        _guard = new SipFloodGuard(options, address => Trusted?.Invoke(address) == true);
        if (options.Enabled)
        {
            _sweep = time.CreateTimer(_ => Sweep(), null, options.Window, options.Window);
        }
    }

    /// <summary>Sources never limited besides the configured networks: the trunks' proxies (set at start-up).</summary>
    public Func<IPAddress, bool>? Trusted { get; set; }

    public SipFloodCounters Counters
    {
        get
        {
            int tracked;
            long untracked;
            lock (_lock)
            {
                tracked = _guard.Tracked;
                untracked = _guard.Untracked;
            }

            return new(Interlocked.Read(ref _admitted), Interlocked.Read(ref _blocked), Interlocked.Read(ref _blockedSources), tracked, untracked);
        }
    }

    /// <summary>
    /// Whether to let <paramref name="message"/> in. Responses always pass, uncounted: they answer our own requests,
    /// and dropping them would break our transactions rather than a flood (a forged one is dropped after parsing as stray).
    /// </summary>
    public bool Admit(in SipFlow flow, ReadOnlySpan<byte> message)
    {
        if (!_options.Enabled || message.StartsWith("SIP/"u8))
        {
            return true;
        }

        SipFloodVerdict verdict;
        lock (_lock)
        {
            verdict = _guard.Check(flow.Remote.Address, _time.GetUtcNow());
        }

        switch (verdict)
        {
            case SipFloodVerdict.Admit:
                Interlocked.Increment(ref _admitted);
                return true;
            case SipFloodVerdict.BlockStarted:
                Interlocked.Increment(ref _blockedSources);
                LogBlocked(_log, SipFloodSource.Of(flow.Remote.Address), _options.Rate, _options.Window.TotalSeconds);
                break;
        }

        Interlocked.Increment(ref _blocked);
        return false;
    }

    public void Dispose() => _sweep?.Dispose();

    private void Sweep()
    {
        var released = new List<SipFloodRelease>();
        lock (_lock)
        {
            _guard.Sweep(_time.GetUtcNow(), released);
        }

        foreach (var release in released)
        {
            LogReleased(_log, release.Source, release.Dropped, release.BlockedFor.TotalSeconds);
        }
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning,
        Message = "SIP flood from {Source}: more than {Rate} requests in {WindowSeconds} s; its requests are dropped until it slows down")]
    private static partial void LogBlocked(ILogger logger, SipFloodSource source, int rate, double windowSeconds);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information,
        Message = "SIP flood from {Source} is over: released after {BlockedSeconds:0.#} s and {Dropped} dropped requests")]
    private static partial void LogReleased(ILogger logger, SipFloodSource source, long dropped, double blockedSeconds);
}
