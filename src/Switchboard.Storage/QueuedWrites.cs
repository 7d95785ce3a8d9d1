using System.Threading.Channels;
using System.Data.Common;

namespace Switchboard.Storage;

/// <summary>
/// Writes that a protocol loop hands over without waiting: <see cref="TryQueue"/> only queues, and one writer on the
/// thread pool commits whatever has queued in one transaction (so a burst costs one fsync), in queue order.
/// <see cref="DisposeAsync"/> takes no more and writes what is queued.
/// </summary>
internal sealed class QueuedWrites<T> : IAsyncDisposable
{
    /// <summary>Items one transaction takes at most, so one commit stays short.</summary>
    private const int MaxBatch = 256;

    private readonly StoreDatabase _db;
    private readonly Func<DbConnection, DbTransaction, T, Task> _write;
    private readonly Action<IReadOnlyList<T>, Exception> _failed;
    private readonly Channel<T> _queue;
    private readonly Task _writer;
    private readonly Pbx.Diagnostics.PbxHistograms? _histograms;
    private readonly string _store;

    /// <param name="write">Writes one item inside the batch's transaction.</param>
    /// <param name="failed">Told of a batch that could not be written (a locked or broken file); the writer goes on.</param>
    /// <param name="store">The store's name in the histogram of write durations (<c>store</c> label, operation <c>write_batch</c>).</param>
    public QueuedWrites(StoreDatabase db, int capacity, Func<DbConnection, DbTransaction, T, Task> write, Action<IReadOnlyList<T>, Exception> failed,
        string store, Pbx.Diagnostics.PbxHistograms? histograms)
    {
        _store = store;
        _histograms = histograms;
        _db = db;
        _write = write;
        _failed = failed;
        _queue = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>False when the queue is full (the writer is far behind) or closed: the item is not written.</summary>
    public bool TryQueue(T item) => _queue.Writer.TryWrite(item);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteAsync()
    {
        var batch = new List<T>(MaxBatch);
        DbConnection? connection = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync())
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    connection ??= await _db.OpenAsync();
                    await using var tx = await connection.BeginTransactionAsync();
                    foreach (var item in batch)
                    {
                        await _write(connection, tx, item);
                    }

                    await tx.CommitAsync();
                    _histograms?.RecordStore(_store, "write_batch", System.Diagnostics.Stopwatch.GetElapsedTime(started));
                }
                catch (DbException ex)
                {
                    _failed(batch, ex);

                    // The connection may be what failed (a server restarted): the next batch opens a new one.
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }

                batch.Clear();
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
}
