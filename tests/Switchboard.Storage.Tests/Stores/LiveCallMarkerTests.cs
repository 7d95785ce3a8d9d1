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

        Assert.Equal(2, await InterruptedCalls.RecordAsync(Temp.Database));

        var records = (await new SqlCallRecordStore(Temp.Database).ListAsync(10)).ToDictionary(r => r.CallId);
        Assert.Equal(3, records.Count);
        var up = records["ringing-then-up"];
        Assert.Equal(("interrupted", "pbx", answered), (up.Reason, up.EndedBy, up.AnsweredAt));
        Assert.Equal(Now, up.StartedAt);
        Assert.True(up.EndedAt >= answered);
        Assert.Null(records["never-answered"].AnsweredAt);
        Assert.Equal("hangup", records["finished"].Reason);
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM live_calls;"));
        Assert.Equal(0, await InterruptedCalls.RecordAsync(Temp.Database));
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

        Assert.Equal(0, await InterruptedCalls.RecordAsync(Temp.Database));
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
            for (var i = 0; i < 500 && await ScalarAsync("SELECT alive_at FROM node_state;") < aliveAt; i++)
            {
                _time.Advance(Heartbeat);
                await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
            }
        }

        var lastBeat = DateTimeOffset.FromUnixTimeMilliseconds(await ScalarAsync("SELECT alive_at FROM node_state;"));
        await InterruptedCalls.RecordAsync(Temp.Database);

        var record = (await new SqlCallRecordStore(Temp.Database).ListAsync(10)).Single(r => r.CallId == "a");
        Assert.True(lastBeat >= Now.AddMinutes(1));
        Assert.Equal(lastBeat, record.EndedAt);
    }
}

public sealed class LiveCallMarkerOnSqlite() : LiveCallMarkerTests(TestEngine.Sqlite);

public sealed class LiveCallMarkerOnPostgres() : LiveCallMarkerTests(TestEngine.Postgres);
