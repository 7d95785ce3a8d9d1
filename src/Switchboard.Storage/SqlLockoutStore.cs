using System.Data.Common;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Security;

namespace Switchboard.Storage;

/// <summary>
/// The login throttle's lockouts in <c>login_lockouts</c>. <see cref="Save"/> only queues (<see cref="QueuedWrites{T}"/>),
/// so no protocol loop waits on the file. <see cref="DisposeAsync"/> writes what is still queued.
/// </summary>
public sealed partial class SqlLockoutStore : ILockoutStore, IAsyncDisposable
{
    /// <summary>Lockouts waiting for the writer. Each takes several failures to start, so this is only reached by a stalled disk.</summary>
    private const int Capacity = 4096;

    private readonly StoreDatabase _db;
    private readonly TimeProvider _time;
    private readonly ILogger<SqlLockoutStore> _logger;
    private readonly QueuedWrites<LoginLockout> _writes;

    public SqlLockoutStore(StoreDatabase db, TimeProvider time, ILogger<SqlLockoutStore> logger, Pbx.Diagnostics.PbxHistograms? histograms = null)
    {
        _db = db;
        _time = time;
        _logger = logger;
        _writes = new QueuedWrites<LoginLockout>(db, Capacity, WriteAsync, (batch, ex) => LogWriteFailed(_logger, ex, batch.Count), "lockouts", histograms);
    }

    public void Save(LoginLockout lockout)
    {
        ArgumentNullException.ThrowIfNull(lockout);
        if (!_writes.TryQueue(lockout))
        {
            LogNotSaved(_logger, lockout.Until);
        }
    }

    public async Task<IReadOnlyList<LoginLockout>> LoadActiveAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        await using var cmd = c.Command("SELECT key, until FROM login_lockouts WHERE until > @now;").Param("@now", UnixTime.ToMs(now));
        var list = new List<LoginLockout>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new LoginLockout(r.GetString(0), UnixTime.FromMs(r.GetInt64(1))));
        }

        return list;
    }

    public ValueTask DisposeAsync() => _writes.DisposeAsync();

    /// <summary>One lockout; the ones that have run out are deleted on the way, so the table holds only what is in force.</summary>
    private async Task WriteAsync(DbConnection connection, DbTransaction tx, LoginLockout lockout)
    {
        await using var cmd = connection.Command("""
            DELETE FROM login_lockouts WHERE until <= @now;
            INSERT INTO login_lockouts (key, until) VALUES (@key, @until)
            ON CONFLICT (key) DO UPDATE SET until = CASE WHEN login_lockouts.until > excluded.until THEN login_lockouts.until ELSE excluded.until END;
            """, tx).Param("@now", UnixTime.ToMs(_time.GetUtcNow())).Param("@key", lockout.Key).Param("@until", UnixTime.ToMs(lockout.Until));
        await cmd.ExecuteNonQueryAsync();
    }

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "A lockout until {Until} could not be stored: the writer is full; a restart before then would lift it")]
    private static partial void LogNotSaved(ILogger logger, DateTimeOffset until);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "{Count} lockouts could not be stored; a restart before they end would lift them")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);
}
