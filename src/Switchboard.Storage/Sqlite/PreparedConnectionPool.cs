using System.Collections.Concurrent;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// A few <see cref="PreparedConnection"/>s for the hot reads: each read takes one (or opens one when all are busy),
/// runs on it alone, and gives it back. At most <see cref="MaxIdle"/> are kept; the rest close after use.
/// </summary>
/// <remarks>Microsoft.Data.Sqlite runs every command synchronously, so the reads here are synchronous too.</remarks>
internal sealed class PreparedConnectionPool : IDisposable
{
    private const int MaxIdle = 4;
    private readonly SqliteDatabase _db;
    private readonly ConcurrentQueue<PreparedConnection> _idle = new();
    private int _disposed;

    public PreparedConnectionPool(SqliteDatabase db) => _db = db;

    public T Run<TState, T>(TState state, Func<PreparedConnection, TState, T> read)
    {
        if (!_idle.TryDequeue(out var connection))
        {
            connection = new PreparedConnection(_db.Open());
        }

        try
        {
            return read(connection, state);
        }
        finally
        {
            if (Volatile.Read(ref _disposed) == 1 || _idle.Count >= MaxIdle)
            {
                connection.Dispose();
            }
            else
            {
                _idle.Enqueue(connection);
            }
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _disposed, 1);
        while (_idle.TryDequeue(out var connection))
        {
            connection.Dispose();
        }
    }
}
