using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Registrar;
using Switchboard.Pbx.Security;
using Switchboard.Sip.Transport;
using Switchboard.Storage;

namespace Switchboard.Server.Hosting;

/// <summary>
/// What the previous process left in the data folder, settled before this one takes any call or login: the calls
/// that were up when it died get their records (docs/call-records.md, "Calls up when the PBX dies"); then the lockouts
/// still in force and the last minute's trunk calls are put back into the throttle and the call limiter
/// (docs/security.md, "Rate limits and lockouts"), the interrupted calls among them. The UDP registrations come back
/// later, once the SIP transports are bound (<see cref="RestoreRegistrationsAsync"/>).
/// </summary>
internal static partial class StartupRecovery
{
    public static async Task RunAsync(IServiceProvider services, StoreDatabase database, TimeSpan deadNodeAfter, CancellationToken ct)
    {
        var log = Logger(services);
        LogStore(log, database.Description);
        var time = services.GetRequiredService<TimeProvider>();

        // A SQLite file has one process: whatever markers are there, their process is gone. On a shared database the
        // other nodes may be up: only those that stopped beating are (the record writer keeps checking later).
        var interrupted = await InterruptedCalls.RecordAsync(database, database.IsShared ? time.GetUtcNow() - deadNodeAfter : null, ct);
        if (interrupted > 0)
        {
            LogInterrupted(log, interrupted);
        }

        var lockouts = await services.GetRequiredService<ILockoutStore>().LoadActiveAsync(time.GetUtcNow(), ct);
        services.GetRequiredService<LoginThrottle>().Restore(lockouts);
        if (services.GetService<IClusterThrottle>() is { } cluster)
        {
            // The lockouts other nodes started while this one was down (docs/scale-out.md, "Redis").
            services.GetRequiredService<LoginThrottle>().Restore(await cluster.LoadActiveAsync(time.GetUtcNow(), ct));
        }
        var starts = await RecentTrunkCalls.RestoreAsync(services.GetRequiredService<CallLimiter>(), services.GetRequiredService<ICallRecordStore>(), time, ct);
        if (lockouts.Count > 0 || starts > 0)
        {
            LogRestored(log, lockouts.Count, starts);
        }
    }

    /// <summary>
    /// The UDP registrations still unexpired, put back once the SIP transports are bound (a binding's flow names this
    /// process's UDP socket) and before the endpoint reads its first datagram (docs/sip-registrar.md, "Restarts").
    /// </summary>
    public static async Task RestoreRegistrationsAsync(IServiceProvider services, SipTransportHub hub, CancellationToken ct)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var stored = await services.GetRequiredService<IRegistrationStore>().LoadAsync(time.GetUtcNow(), ct);
        var restored = stored.Select(b => hub.CreateFlow(SipTransportKind.Udp, b.Flow.Remote) is { } flow ? b with { Flow = flow } : null)
            .OfType<ContactBinding>().ToList();
        services.GetRequiredService<LocationService>().Restore(restored);
        var log = Logger(services);
        if (stored.Count > 0)
        {
            LogRegistrations(log, restored.Count, stored.Count);
        }
    }

    private static ILogger Logger(IServiceProvider services) => services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupRecovery).FullName!);

    [LoggerMessage(EventId = 7022, Level = LogLevel.Information, Message = "Restored {Restored} of {Stored} stored UDP registrations (none without a UDP transport)")]
    private static partial void LogRegistrations(ILogger logger, int restored, int stored);

    [LoggerMessage(EventId = 7023, Level = LogLevel.Information, Message = "Store: {Store}")]
    private static partial void LogStore(ILogger logger, string store);

    [LoggerMessage(EventId = 7020, Level = LogLevel.Warning, Message = "{Count} calls were up when the PBX last stopped without ending them; recorded as interrupted")]
    private static partial void LogInterrupted(ILogger logger, int count);

    [LoggerMessage(EventId = 7021, Level = LogLevel.Information, Message = "Restored {Lockouts} lockouts still in force and {Starts} trunk calls of the last minute")]
    private static partial void LogRestored(ILogger logger, int lockouts, int starts);
}
