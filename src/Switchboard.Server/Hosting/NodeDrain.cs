using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Sip;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Takes a node out of service without cutting a call (docs/scale-out.md, "Drain"): from <see cref="Start"/> on, SIP
/// answers every new request 503 with Retry-After (health probes included, so Kamailio's dispatcher marks the node
/// down), a browser's new call ends at once as <c>shutdown</c>, and calls already up go on; when the last one has
/// ended the node stops as on Ctrl+C. Started by SIGUSR1 (<c>switchboard node drain</c>) or by <see cref="PbxHost.Drain"/>.
/// </summary>
public sealed partial class NodeDrain : IDisposable
{
    /// <summary>How often a draining node looks at its live calls: a drain waits for calls, not for this.</summary>
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(250);

    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger<NodeDrain> _log;
    private ITimer? _timer;
    private int _started;
    private int _stopping;

    public NodeDrain(IServiceProvider services, TimeProvider time, ILogger<NodeDrain> log)
    {
        _services = services;
        _time = time;
        _log = log;
    }

    public bool IsDraining => Volatile.Read(ref _started) == 1;

    /// <summary>Begins the drain (from any thread; a second call does nothing).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        _services.GetService<SipEndpoint>()?.RefuseNewRequests();
        var calls = _services.GetRequiredService<CallEngine>();
        calls.RefuseNewCalls();
        LogStarted(_log, calls.ActiveCalls);
        _timer = _time.CreateTimer(_ => StopWhenIdle(calls), null, TimeSpan.Zero, CheckEvery);
    }

    public void Dispose() => _timer?.Dispose();

    private void StopWhenIdle(CallEngine calls)
    {
        if (calls.ActiveCalls == 0 && Interlocked.Exchange(ref _stopping, 1) == 0)
        {
            LogDrained(_log);
            _services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        }
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Draining: new calls and registrations are refused (SIP 503); the node stops when its {Calls} call(s) have ended")]
    private static partial void LogStarted(ILogger logger, int calls);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Drained: no call left, stopping")]
    private static partial void LogDrained(ILogger logger);
}
