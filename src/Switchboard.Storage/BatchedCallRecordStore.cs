using System.Threading.Channels;
using System.Data.Common;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;

namespace Switchboard.Storage;

/// <summary>
/// The running server's call records: adds go to one writer that commits them in batches (group commit: one
/// transaction, one fsync, one prepared INSERT per batch); reads and the purge go straight to the file.
/// <see cref="AddAsync"/> completes once its record's batch has committed, so a read that follows it sees the record;
/// a caller that does not need that does not await it. <see cref="DisposeAsync"/> writes everything still queued.
/// The same writer keeps the crash-safety state (docs/call-records.md, "Calls up when the PBX dies"): each live call's
/// marker (<see cref="MarkLive"/>), removed in the transaction that inserts the call's record, and a heartbeat row
/// touched by every commit and, when idle, every <see cref="CallRecordBatching.Heartbeat"/>.
/// </summary>
public sealed partial class BatchedCallRecordStore : ICallRecordStore, IAsyncDisposable
{
    private readonly StoreDatabase _db;
    private readonly SqlCallRecordStore _direct;
    private readonly CallRecordBatching _options;
    private readonly TimeProvider _time;
    private readonly ILogger<BatchedCallRecordStore> _logger;
    private readonly Channel<Pending> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Task _writer;
    private readonly Pbx.Diagnostics.PbxHistograms? _histograms;
    private int _disposed;
    private DateTimeOffset _lastDeadNodeCheck = DateTimeOffset.MinValue;

    /// <param name="histograms">Where each batch's commit time goes (<c>store="call_records"</c>, <c>operation="write_batch"</c>); null records none.</param>
    public BatchedCallRecordStore(StoreDatabase db, CallRecordBatching options, TimeProvider time, ILogger<BatchedCallRecordStore> logger,
        Pbx.Diagnostics.PbxHistograms? histograms = null)
    {
        _histograms = histograms;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FlushInterval, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatch, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Heartbeat, TimeSpan.Zero, nameof(options));
        _db = db;
        _direct = new SqlCallRecordStore(db);
        _options = options;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.Capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Queues the record; the task completes when its batch has committed (or faults if it could not be written).</summary>
    /// <remarks>
    /// A full queue makes the caller wait for room: a record is never dropped. Never awaited on a protocol loop.
    /// <paramref name="ct"/> gives up waiting for room; a record once queued is written whatever happens to the token.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">the store is stopping and takes no more records.</exception>
    public async Task AddAsync(CallRecord record, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var pending = new Pending(record, IsMarker: false, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await _queue.Writer.WriteAsync(pending, ct);
        }
        catch (ChannelClosedException ex)
        {
            throw new ObjectDisposedException("The call record writer has stopped.", ex);
        }

        await pending.Committed!.Task;
    }

    /// <summary>Queues the call's live marker behind whatever is queued, so it commits with the next batch.</summary>
    /// <remarks>
    /// Never waits: a full queue (the writer 8,192 items behind) drops the marker with a warning, which costs only this
    /// call's <c>interrupted</c> record if the process dies before the call ends. The marker is queued before the call's
    /// record (the call's own loop does both), so the record's transaction always finds it to remove.
    /// </remarks>
    public void MarkLive(CallRecord interruptedNow)
    {
        ArgumentNullException.ThrowIfNull(interruptedNow);
        if (!_queue.Writer.TryWrite(new Pending(interruptedNow, IsMarker: true, null)) && !_stopping.IsCancellationRequested)
        {
            LogMarkerDropped(_logger, interruptedNow.CallId);
        }
    }

    public Task<IReadOnlyList<CallRecord>> ListAsync(int limit, CancellationToken ct = default) => _direct.ListAsync(limit, ct);

    public Task<IReadOnlyList<CallRecord>> QueryAsync(CallRecordQuery query, CancellationToken ct = default) => _direct.QueryAsync(query, ct);

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct = default) => _direct.DeleteOlderThanAsync(cutoff, ct);

    /// <summary>
    /// From now on commits without waiting out the interval, still taking records: the host is stopping, and the calls
    /// it ends on the way out (whose ends wait for their records) must not wait a whole interval each.
    /// </summary>
    public void FlushPromptly()
    {
        lock (_gate)
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                _stopping.Cancel();
            }
        }
    }

    /// <summary>Takes no more records, commits every queued one without waiting out the interval, and ends the writer.</summary>
    /// <remarks>Idempotent: the container may dispose the instance once per registration.</remarks>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        // Stopping is flagged before the queue closes, so a marker refused by the closed queue is not reported as one refused by a full one.
        FlushPromptly();
        _queue.Writer.TryComplete();
        await _writer;
        lock (_gate)
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _stopping.Dispose();
            }
        }
    }

    /// <summary>
    /// The writer: one connection, prepared statements, one batch at a time until the queue is closed and empty; a
    /// heartbeat when nothing has been committed for a heartbeat interval.
    /// </summary>
    private async Task WriteAsync()
    {
        var batch = new List<Pending>(_options.MaxBatch);
        DbConnection? connection = null;
        DbCommand? insert = null;
        LiveCallStatements? live = null;
        try
        {
            WriterWake wake;
            while ((wake = await WaitAsync()) != WriterWake.Closed)
            {
                if (wake == WriterWake.Records)
                {
                    await CollectAsync(batch);
                }

                if (connection is not null && connection.State != System.Data.ConnectionState.Open)
                {
                    // A PostgreSQL server that restarted or dropped the connection: start again on a new one.
                    await CloseAsync(connection, insert, live);
                    (connection, insert, live) = (null, null, null);
                }

                if (connection is null)
                {
                    connection = await _db.OpenAsync();
                    insert = CallRecordInsert.Create(connection);
                    await _db.PrepareAsync(insert);
                    live = await LiveCallStatements.PrepareAsync(_db, connection);
                }

                if (wake == WriterWake.Records)
                {
                    await CommitAsync(connection, insert!, live!, batch);
                    batch.Clear();
                }
                else
                {
                    await BeatAsync(connection, live!);
                }

                await RecordDeadNodesCallsAsync();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Opening the file failed: fail what waits, and every later add, rather than leave callers hanging.
            LogWriterFailed(_logger, ex);
            _queue.Writer.TryComplete(ex);
            Fail(batch, ex);
            while (_queue.Reader.TryRead(out var left))
            {
                left.Committed?.TrySetException(ex);
            }
        }
        finally
        {
            await CloseAsync(connection, insert, live);
        }
    }

    private static async Task CloseAsync(DbConnection? connection, DbCommand? insert, LiveCallStatements? live)
    {
        if (insert is not null)
        {
            await insert.DisposeAsync();
        }

        if (live is not null)
        {
            await live.DisposeAsync();
        }

        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>Waits for something to write, or for the heartbeat interval to pass with nothing, or for the queue to close.</summary>
    private async Task<WriterWake> WaitAsync()
    {
        using var beat = new CancellationTokenSource(_options.Heartbeat, _time);
        try
        {
            return await _queue.Reader.WaitToReadAsync(beat.Token) ? WriterWake.Records : WriterWake.Closed;
        }
        catch (OperationCanceledException)
        {
            return WriterWake.Heartbeat;
        }
    }

    /// <summary>Fills the batch for up to the flush interval after its first record, or until it is full or the store stops.</summary>
    private async Task CollectAsync(List<Pending> batch)
    {
        Drain(batch);
        if (_options.FlushInterval == TimeSpan.Zero)
        {
            return;
        }

        using var window = new CancellationTokenSource(_options.FlushInterval, _time);
        using var until = CancellationTokenSource.CreateLinkedTokenSource(window.Token, _stopping.Token);
        while (batch.Count < _options.MaxBatch && !until.IsCancellationRequested)
        {
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(until.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Drain(batch);
        }
    }

    private void Drain(List<Pending> batch)
    {
        while (batch.Count < _options.MaxBatch && _queue.Reader.TryRead(out var pending))
        {
            batch.Add(pending);
        }
    }

    private async Task CommitAsync(DbConnection connection, DbCommand insert, LiveCallStatements live, List<Pending> batch)
    {
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await WriteAsync(connection, insert, live, batch);
            _histograms?.RecordStore("call_records", "write_batch", System.Diagnostics.Stopwatch.GetElapsedTime(started));
            foreach (var pending in batch)
            {
                pending.Committed?.TrySetResult();
            }
        }
        catch (DbException ex)
        {
            // One bad record (a call id written twice) must not take its batch with it: each again on its own.
            LogBatchFailed(_logger, ex, batch.Count);
            foreach (var pending in batch)
            {
                try
                {
                    await WriteAsync(connection, insert, live, [pending]);
                    pending.Committed?.TrySetResult();
                }
                catch (DbException one)
                {
                    pending.Committed?.TrySetException(one);
                }
            }
        }
    }

    /// <summary>One transaction: each marker written, each record inserted with its call's marker removed, the heartbeat touched.</summary>
    private async Task WriteAsync(DbConnection connection, DbCommand insert, LiveCallStatements live, IReadOnlyList<Pending> items)
    {
        await using var tx = await connection.BeginTransactionAsync();
        insert.Transaction = tx;
        foreach (var pending in items)
        {
            if (pending.IsMarker)
            {
                await live.MarkAsync(tx, pending.Record);
            }
            else
            {
                CallRecordInsert.Bind(insert, pending.Record);
                await insert.ExecuteNonQueryAsync();
                await live.ForgetAsync(tx, pending.Record.CallId);
            }
        }

        await live.BeatAsync(tx, _time.GetUtcNow());
        await tx.CommitAsync();
    }

    /// <summary>
    /// On a database several nodes share, once a heartbeat interval: the live calls of nodes that stopped beating (a
    /// <c>kill -9</c>, a machine lost) are recorded as interrupted by whichever live node looks first (docs/scale-out.md,
    /// "When a node dies"). Their records keep their call ids, so two nodes looking at once write each record once.
    /// </summary>
    private async Task RecordDeadNodesCallsAsync()
    {
        var now = _time.GetUtcNow();
        if (!_db.IsShared || now - _lastDeadNodeCheck < _options.Heartbeat)
        {
            return;
        }

        _lastDeadNodeCheck = now;
        try
        {
            var recorded = await InterruptedCalls.RecordAsync(_db, now - _options.DeadNodeAfter);
            if (recorded > 0)
            {
                LogDeadNodeCalls(_logger, recorded);
            }
        }
        catch (DbException ex)
        {
            // The next interval looks again; the markers stay until then.
            LogDeadNodeCheckFailed(_logger, ex);
        }
    }

    /// <summary>Nothing to write for a while: the heartbeat alone, so an interrupted call's end is known to within an interval.</summary>
    private async Task BeatAsync(DbConnection connection, LiveCallStatements live)
    {
        try
        {
            await using var tx = await connection.BeginTransactionAsync();
            await live.BeatAsync(tx, _time.GetUtcNow());
            await tx.CommitAsync();
        }
        catch (DbException ex)
        {
            // A locked file: the next beat or batch tries again; meanwhile an interrupted call's end would only be earlier.
            LogHeartbeatFailed(_logger, ex);
        }
    }

    private static void Fail(List<Pending> batch, Exception ex)
    {
        foreach (var pending in batch)
        {
            pending.Committed?.TrySetException(ex);
        }
    }

    /// <summary>A record to insert (with a task its adder awaits), or a live call's marker (nobody waits for it).</summary>
    private readonly record struct Pending(CallRecord Record, bool IsMarker, TaskCompletionSource? Committed);

    private enum WriterWake
    {
        Records,
        Heartbeat,
        Closed,
    }

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "A batch of {Count} call records failed; writing them one by one")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Error, Message = "The call record writer cannot open the database; call records are not written")]
    private static partial void LogWriterFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Warning, Message = "Call {CallId}: the record writer is full; its live marker is not written (a crash now would lose its record)")]
    private static partial void LogMarkerDropped(ILogger logger, string callId);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Warning, Message = "The record writer's heartbeat failed; it tries again at the next interval")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7014, Level = LogLevel.Warning, Message = "{Count} calls of a node that stopped beating were recorded as interrupted")]
    private static partial void LogDeadNodeCalls(ILogger logger, int count);

    [LoggerMessage(EventId = 7015, Level = LogLevel.Warning, Message = "Looking for the live calls of dead nodes failed; the next interval looks again")]
    private static partial void LogDeadNodeCheckFailed(ILogger logger, Exception exception);
}
