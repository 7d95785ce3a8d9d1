using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Calls;
using Switchboard.Storage;

using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

public abstract class BatchedCallRecordStoreTests(TestEngine engine) : StoreTests(engine)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private readonly FakeTimeProvider _time = new(Now);

    private async Task<BatchedCallRecordStore> NewStoreAsync(int maxBatch = 512, int capacity = 8192, TimeSpan? interval = null)
    {
        await Temp.Database.MigrateAsync();
        return new BatchedCallRecordStore(Temp.Database,
            new CallRecordBatching { FlushInterval = interval ?? Interval, MaxBatch = maxBatch, Capacity = capacity }, _time, NullLogger<BatchedCallRecordStore>.Instance);
    }

    private static CallRecord Record(string id) =>
        new(id, "demo.local", "100@demo.local", "*43", "sip", "service:echo", Now, Now, Now.AddSeconds(5), "hangup", "caller", null);

    private async Task<int> CountOnDiskAsync() => (await new SqlCallRecordStore(Temp.Database).ListAsync(1000)).Count;

    /// <summary>Steps the fake clock by the interval until <paramref name="task"/> ends: the writer may not have started its window yet.</summary>
    private async Task FlushUntilAsync(Task task)
    {
        for (var i = 0; i < 500 && !task.IsCompleted; i++)
        {
            _time.Advance(Interval);
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System));
        }

        await task;
    }

    [Fact]
    public async Task Records_wait_for_the_interval_then_commit_together_and_are_readable_once_added()
    {
        await using var store = await NewStoreAsync();
        var adds = new[] { store.AddAsync(Record("a")), store.AddAsync(Record("b")), store.AddAsync(Record("c")) };

        await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        Assert.DoesNotContain(adds, a => a.IsCompleted);
        Assert.Equal(0, await CountOnDiskAsync());

        await FlushUntilAsync(Task.WhenAll(adds));
        Assert.Equal(["c", "b", "a"], (await store.ListAsync(10)).Select(r => r.CallId).OrderDescending());
    }

    [Fact]
    public async Task A_full_batch_commits_without_waiting_for_the_interval()
    {
        await using var store = await NewStoreAsync(maxBatch: 2);

        await Task.WhenAll(store.AddAsync(Record("a")), store.AddAsync(Record("b"))).WaitAsync(TimeSpan.FromSeconds(10), TimeProvider.System);

        Assert.Equal(2, await CountOnDiskAsync());
    }

    [Fact]
    public async Task Dispose_writes_what_is_queued_without_waiting_for_the_interval()
    {
        var store = await NewStoreAsync(interval: TimeSpan.FromHours(1));
        var adds = Enumerable.Range(0, 20).Select(i => store.AddAsync(Record($"r{i}"))).ToArray();

        await store.DisposeAsync();

        await Task.WhenAll(adds);
        Assert.Equal(20, await CountOnDiskAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AddAsync(Record("late")));
    }

    [Fact]
    public async Task Flush_promptly_commits_at_once_and_still_takes_records()
    {
        await using var store = await NewStoreAsync(interval: TimeSpan.FromHours(1));
        var first = store.AddAsync(Record("a"));

        store.FlushPromptly();

        await first.WaitAsync(TimeSpan.FromSeconds(10), TimeProvider.System);
        await store.AddAsync(Record("b")).WaitAsync(TimeSpan.FromSeconds(10), TimeProvider.System);
        Assert.Equal(2, await CountOnDiskAsync());
    }

    [Fact]
    public async Task A_full_queue_makes_the_caller_wait_and_loses_nothing()
    {
        // Another connection holds the write lock, as a stalled disk would: the writer's commit waits, the queue fills.
        await using var store = await NewStoreAsync(maxBatch: 1, capacity: 1);
        await using var other = await Temp.Database.OpenAsync();
        using (var begin = other.CreateCommand())
        {
            begin.CommandText = Temp.HoldWriteLockSql;
            await begin.ExecuteNonQueryAsync();
        }

        var first = store.AddAsync(Record("a"));
        var second = store.AddAsync(Record("b"));
        var third = store.AddAsync(Record("c"));
        using var give = new CancellationTokenSource();
        var fourth = store.AddAsync(Record("d"), give.Token);

        await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        Assert.False(third.IsCompleted);
        await give.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fourth);

        using (var rollback = other.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        await Task.WhenAll(first, second, third).WaitAsync(TimeSpan.FromSeconds(10), TimeProvider.System);
        Assert.Equal(["a", "b", "c"], (await store.ListAsync(10)).Select(r => r.CallId).Order());
    }

    [Fact]
    public async Task A_duplicate_call_id_fails_alone_and_its_batch_is_written()
    {
        await using var store = await NewStoreAsync();
        var adds = new[] { store.AddAsync(Record("a")), store.AddAsync(Record("dup")), store.AddAsync(Record("dup")), store.AddAsync(Record("b")) };

        await FlushUntilAsync(Task.WhenAll(adds).ContinueWith(_ => { }, TaskScheduler.Default));

        Assert.Equal(1, adds.Count(a => a.IsFaulted));
        Assert.Equal(["a", "b", "dup"], (await store.ListAsync(10)).Select(r => r.CallId).Order());
    }
}

public sealed class BatchedCallRecordStoreOnSqlite() : BatchedCallRecordStoreTests(TestEngine.Sqlite);

public sealed class BatchedCallRecordStoreOnPostgres() : BatchedCallRecordStoreTests(TestEngine.Postgres);
