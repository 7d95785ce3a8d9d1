using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Security;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Server.Hosting;

/// <summary>
/// What the previous process left in the data folder, settled before this one takes any call or login: the calls
/// that were up when it died get their records (docs/call-records.md, "Calls up when the PBX dies"); then the lockouts
/// still in force and the last minute's trunk calls are put back into the throttle and the call limiter
/// (docs/security.md, "Rate limits and lockouts"), the interrupted calls among them.
/// </summary>
internal static partial class StartupRecovery
{
    public static async Task RunAsync(IServiceProvider services, SqliteDatabase database, CancellationToken ct)
    {
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupRecovery).FullName!);
        var interrupted = await InterruptedCalls.RecordAsync(database, ct);
        if (interrupted > 0)
        {
            LogInterrupted(log, interrupted);
        }

        var time = services.GetRequiredService<TimeProvider>();
        var lockouts = await services.GetRequiredService<ILockoutStore>().LoadActiveAsync(time.GetUtcNow(), ct);
        services.GetRequiredService<LoginThrottle>().Restore(lockouts);
        var starts = await RecentTrunkCalls.RestoreAsync(services.GetRequiredService<CallLimiter>(), services.GetRequiredService<ICallRecordStore>(), time, ct);
        if (lockouts.Count > 0 || starts > 0)
        {
            LogRestored(log, lockouts.Count, starts);
        }
    }

    [LoggerMessage(EventId = 7020, Level = LogLevel.Warning, Message = "{Count} calls were up when the PBX last stopped without ending them; recorded as interrupted")]
    private static partial void LogInterrupted(ILogger logger, int count);

    [LoggerMessage(EventId = 7021, Level = LogLevel.Information, Message = "Restored {Lockouts} lockouts still in force and {Starts} trunk calls of the last minute")]
    private static partial void LogRestored(ILogger logger, int lockouts, int starts);
}
