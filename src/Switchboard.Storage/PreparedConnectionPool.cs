using System.Collections.Concurrent;

namespace Switchboard.Storage;

/// <summary>
/// A few <see cref="PreparedConnection"/>s for the hot reads: each read takes one (or opens one when all are busy),
/// runs on it alone, and gives it back. At most <see cref="MaxIdle"/> are kept; the rest close after use.
/// </summary>
/// <remarks>On SQLite every command runs synchronously, so a read completes before it returns; on PostgreSQL it is truly async.</remarks>
internal sealed class PreparedConnectionPool : IAsyncDisposable
{
    private const int MaxIdle = 4;
    private readonly StoreDatabase _db;
    private readonly ConcurrentQueue<PreparedConnection> _idle = new();
    private int _disposed;

    public PreparedConnectionPool(StoreDatabase db) => _db = db;

    public async Task<T> RunAsync<TState, T>(TState state, Func<PreparedConnection, TState, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        if (!_idle.TryDequeue(out var connection))
        {
            connection = new PreparedConnection(_db, await _db.OpenAsync(ct));
        }

        var healthy = false;
        try
        {
            var result = await read(connection, state, ct);
            healthy = true;
            return result;
        }
        finally
        {
            // A read that failed (a dropped server connection, a cancelled command) may leave the connection unusable.
            if (!healthy || Volatile.Read(ref _disposed) == 1 || _idle.Count >= MaxIdle)
            {
                await connection.DisposeAsync();
            }
            else
            {
                _idle.Enqueue(connection);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        while (_idle.TryDequeue(out var connection))
        {
            await connection.DisposeAsync();
        }
    }
}
