using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Calls;
using Switchboard.Storage;

using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

/// <summary>
/// Crash safety of the record writer (docs/call-records.md, "Calls up when the PBX dies"). A store disposed with
/// markers left stands for a process killed: a clean stop ends every call, and so removes every marker, first.
/// </summary>
public abstract class LiveCallMarkerTests(TestEngine engine) : StoreTests(engine)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(Now);

    /// <summary>No flush interval: a batch commits as soon as the writer takes it, so awaiting a record awaits every marker queued before it.</summary>
    private async Task<BatchedCallRecordStore> NewStoreAsync()
    {
        await Temp.Database.MigrateAsync();
        return new BatchedCallRecordStore(Temp.Database,
            new CallRecordBatching { FlushInterval = TimeSpan.Zero, Heartbeat = Heartbeat }, _time, NullLogger<BatchedCallRecordStore>.Instance);
    }

    /// <summary>A marker as a call's loop makes it: the record the call would get if the process died at <paramref name="updatedAt"/>.</summary>
    private static CallRecord Live(string id, DateTimeOffset? answeredAt, DateTimeOffset updatedAt) =>
        new(id, "demo.local", "100@demo.local", "200", "sip", "extension", Now, answeredAt, updatedAt, "interrupted", "pbx", null);

    private static CallRecord Ended(string id) =>
        new(id, "demo.local", "100@demo.local", "200", "sip", "extension", Now, Now.AddSeconds(1), Now.AddSeconds(9), "hangup", "caller", null);

    private async Task<long> ScalarAsync(string sql)
    {
        await using var c = await Temp.Database.OpenAsync();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>What the next process on the database does at its start (a SQLite file: every other process is gone).</summary>
    private async Task<int> RecordAsNextProcessAsync()
    {
        using var next = Temp.OpenOther();
        return await InterruptedCalls.RecordAsync(next);
    }

    [Fact]
    public async Task A_call_up_when_the_process_dies_gets_one_interrupted_record_with_its_answer_time()
    {
        var answered = Now.AddSeconds(2);
        await using (var store = await NewStoreAsync())
        {
            store.MarkLive(Live("ringing-then-up", null, Now.AddSeconds(1)));
            store.MarkLive(Live("ringing-then-up", answered, answered));
            store.MarkLive(Live("never-answered", null, Now.AddSeconds(1)));
            await store.AddAsync(Ended("finished"));
        }

        Assert.Equal(2, await RecordAsNextProcessAsync());

        var records = (await new SqlCallRecordStore(Temp.Database).ListAsync(10)).ToDictionary(r => r.CallId);
        Assert.Equal(3, records.Count);
        var up = records["ringing-then-up"];
        Assert.Equal(("interrupted", "pbx", answered), (up.Reason, up.EndedBy, up.AnsweredAt));
        Assert.Equal(Now, up.StartedAt);
        Assert.True(up.EndedAt >= answered);
        Assert.Null(records["never-answered"].AnsweredAt);
        Assert.Equal("hangup", records["finished"].Reason);
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM live_calls;"));
        Assert.Equal(0, await RecordAsNextProcessAsync());
    }

    [Fact]
    public async Task A_call_that_ends_takes_its_marker_with_its_record()
    {
        await using (var store = await NewStoreAsync())
        {
            store.MarkLive(Live("a", Now.AddSeconds(1), Now.AddSeconds(1)));
            await store.AddAsync(Ended("a"));
            Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM live_calls;"));
        }

        Assert.Equal(0, await RecordAsNextProcessAsync());
        Assert.Equal("hangup", Assert.Single(await new SqlCallRecordStore(Temp.Database).ListAsync(10)).Reason);
    }

    [Fact]
    public async Task The_idle_writer_beats_so_an_interrupted_call_ends_at_the_last_heartbeat()
    {
        await using (var store = await NewStoreAsync())
        {
            store.MarkLive(Live("a", Now, Now));
            await store.AddAsync(Ended("other"));
            var aliveAt = Now.AddMinutes(1).ToUnixTimeMilliseconds();
            for (var i = 0; i < 500 && await ScalarAsync("SELECT max(alive_at) FROM node_heartbeats;") < aliveAt; i++)
            {
                _time.Advance(Heartbeat);
                await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
            }
        }

        var lastBeat = DateTimeOffset.FromUnixTimeMilliseconds(await ScalarAsync("SELECT max(alive_at) FROM node_heartbeats;"));
        await RecordAsNextProcessAsync();

        var record = (await new SqlCallRecordStore(Temp.Database).ListAsync(10)).Single(r => r.CallId == "a");
        Assert.True(lastBeat >= Now.AddMinutes(1));
        Assert.Equal(lastBeat, record.EndedAt);
    }
}

/// <summary>Several nodes on one database (docs/scale-out.md, "When a node dies"): whose markers are whose.</summary>
public abstract class NodeMarkerTests(TestEngine engine) : StoreTests(engine)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly CallRecordBatching Batching = new() { FlushInterval = TimeSpan.Zero, Heartbeat = TimeSpan.FromSeconds(5) };

    private static CallRecord Live(string id) =>
        new(id, "demo.local", "100@demo.local", "200", "sip", "extension", Now, Now, Now, "interrupted", "pbx", null);

    [Fact]
    public async Task A_node_that_beats_keeps_its_calls_and_one_that_stopped_has_them_recorded_as_interrupted_once()
    {
        await Temp.Database.MigrateAsync();
        var time = new FakeTimeProvider(Now);
        using var nodeA = Temp.OpenOther();
        using var nodeB = Temp.OpenOther();
        await using (var storeA = new BatchedCallRecordStore(nodeA, Batching, time, NullLogger<BatchedCallRecordStore>.Instance))
        {
            storeA.MarkLive(Live("on-a"));
            await storeA.AddAsync(Live("finished-on-a") with { Reason = "hangup", EndedBy = "caller" });
        }

        // A's last beat was at Now: still alive for a look at Now + 10 s; its own process never takes its calls.
        Assert.Equal(0, await InterruptedCalls.RecordAsync(nodeB, Now.AddSeconds(10) - Batching.DeadNodeAfter));
        Assert.Equal(0, await InterruptedCalls.RecordAsync(nodeA, Now.AddHours(1)));

        // Three beats missed: dead. Two nodes looking at once write the record once.
        var later = Now.AddSeconds(16) - Batching.DeadNodeAfter;
        using var nodeC = Temp.OpenOther();
        var found = await Task.WhenAll(InterruptedCalls.RecordAsync(nodeB, later), InterruptedCalls.RecordAsync(nodeC, later));
        Assert.InRange(found.Sum(), 1, 2);
        var record = Assert.Single(await new SqlCallRecordStore(Temp.Database).ListAsync(10), r => r.CallId == "on-a");
        Assert.Equal(("interrupted", "pbx", Now), (record.Reason, record.EndedBy, record.EndedAt));
        Assert.Equal(0, await InterruptedCalls.RecordAsync(nodeB, later));
    }

    [Fact]
    public async Task The_record_writer_of_a_shared_database_records_a_dead_nodes_calls_by_itself()
    {
        await Temp.Database.MigrateAsync();
        var time = new FakeTimeProvider(Now);
        using var nodeA = Temp.OpenOther();
        await using (var storeA = new BatchedCallRecordStore(nodeA, Batching, time, NullLogger<BatchedCallRecordStore>.Instance))
        {
            storeA.MarkLive(Live("on-a"));
            await storeA.AddAsync(Live("finished-on-a") with { Reason = "hangup", EndedBy = "caller" });
        }

        await using var storeB = new BatchedCallRecordStore(Temp.Database, Batching, time, NullLogger<BatchedCallRecordStore>.Instance);
        var records = new SqlCallRecordStore(Temp.Database);
        for (var i = 0; i < 400 && !(await records.ListAsync(10)).Any(r => r.CallId == "on-a"); i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }

        var found = (await records.ListAsync(10)).Any(r => r.CallId == "on-a");
        // Only several nodes share a database; a SQLite file's markers wait for the next start of its one process.
        Assert.Equal(Temp.Database.IsShared, found);
    }
}

public sealed class NodeMarkerOnSqlite() : NodeMarkerTests(TestEngine.Sqlite);

public sealed class NodeMarkerOnPostgres() : NodeMarkerTests(TestEngine.Postgres);

public sealed class LiveCallMarkerOnSqlite() : LiveCallMarkerTests(TestEngine.Sqlite);

public sealed class LiveCallMarkerOnPostgres() : LiveCallMarkerTests(TestEngine.Postgres);
