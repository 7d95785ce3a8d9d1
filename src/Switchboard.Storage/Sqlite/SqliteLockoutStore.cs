using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Security;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The login throttle's lockouts in <c>login_lockouts</c>. <see cref="Save"/> only queues: one writer on the thread pool
/// writes them, so no protocol loop waits on the file. <see cref="DisposeAsync"/> writes what is still queued.
/// </summary>
public sealed partial class SqliteLockoutStore : ILockoutStore, IAsyncDisposable
{
    /// <summary>Lockouts waiting for the writer. Each takes several failures to start, so this is only reached by a stalled disk.</summary>
    private const int Capacity = 4096;

    private readonly SqliteDatabase _db;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteLockoutStore> _logger;
    private readonly Channel<LoginLockout> _queue = Channel.CreateBounded<LoginLockout>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Task _writer;

    public SqliteLockoutStore(SqliteDatabase db, TimeProvider time, ILogger<SqliteLockoutStore> logger)
    {
        _db = db;
        _time = time;
        _logger = logger;
        _writer = Task.Run(WriteAsync);
    }

    public void Save(LoginLockout lockout)
    {
        ArgumentNullException.ThrowIfNull(lockout);
        if (!_queue.Writer.TryWrite(lockout))
        {
            LogNotSaved(_logger, lockout.Until);
        }
    }

    public async Task<IReadOnlyList<LoginLockout>> LoadActiveAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await _db.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT key, until FROM login_lockouts WHERE until > $now;";
        cmd.Parameters.AddWithValue("$now", UnixTime.ToMs(now));
        var list = new List<LoginLockout>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new LoginLockout(r.GetString(0), UnixTime.FromMs(r.GetInt64(1))));
        }

        return list;
    }

    /// <summary>Takes no more lockouts, writes the queued ones and ends the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    /// <summary>Each lockout in its own small transaction (they are rare); the ones that have run out are deleted on the way.</summary>
    private async Task WriteAsync()
    {
        SqliteConnection? connection = null;
        try
        {
            await foreach (var lockout in _queue.Reader.ReadAllAsync())
            {
                try
                {
                    connection ??= await _db.OpenAsync();
                    using var cmd = connection.CreateCommand();
                    cmd.CommandText = """
                        DELETE FROM login_lockouts WHERE until <= $now;
                        INSERT INTO login_lockouts (key, until) VALUES ($key, $until)
                        ON CONFLICT (key) DO UPDATE SET until = max(until, excluded.until);
                        """;
                    cmd.Parameters.AddWithValue("$now", UnixTime.ToMs(_time.GetUtcNow()));
                    cmd.Parameters.AddWithValue("$key", lockout.Key);
                    cmd.Parameters.AddWithValue("$until", UnixTime.ToMs(lockout.Until));
                    cmd.ExecuteNonQuery();
                }
                catch (SqliteException ex)
                {
                    LogWriteFailed(_logger, ex, lockout.Until);
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "A lockout until {Until} could not be stored: the writer is full; a restart before then would lift it")]
    private static partial void LogNotSaved(ILogger logger, DateTimeOffset until);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "A lockout until {Until} could not be stored; a restart before then would lift it")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, DateTimeOffset until);
}
