using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Server.Hosting;

/// <summary>
/// What the previous process left in the data folder, settled before this one takes any call or login: the calls
/// that were up when it died get their records (docs/call-records.md, "Calls up when the PBX dies").
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
    }

    [LoggerMessage(EventId = 7020, Level = LogLevel.Warning, Message = "{Count} calls were up when the PBX last stopped without ending them; recorded as interrupted")]
    private static partial void LogInterrupted(ILogger logger, int count);
}
