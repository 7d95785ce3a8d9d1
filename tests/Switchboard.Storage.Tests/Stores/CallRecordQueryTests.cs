using Switchboard.Pbx.Calls;
using Switchboard.Storage;

using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

public abstract class CallRecordQueryTests(TestEngine engine) : StoreTests(engine)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static CallRecord Call(string id, int minute, string domain = "demo.local", string from = "100@demo.local", string to = "101",
        string route = "extension", string reason = "hangup") =>
        new(id, domain, from, to, "web", route, Now.AddMinutes(minute), Now.AddMinutes(minute).AddSeconds(1), Now.AddMinutes(minute).AddSeconds(31), reason, "caller", null);

    private async Task<SqlCallRecordStore> StoreWithAsync(params CallRecord[] records)
    {
        await Temp.Database.MigrateAsync();
        var store = new SqlCallRecordStore(Temp.Database);
        foreach (var record in records)
        {
            await store.AddAsync(record);
        }

        return store;
    }

    private static async Task<string[]> IdsAsync(SqlCallRecordStore store, CallRecordQuery query) =>
        [.. (await store.QueryAsync(query)).Select(r => r.CallId)];

    [Fact]
    public async Task Each_filter_narrows_the_result_and_the_newest_comes_first()
    {
        var store = await StoreWithAsync(
            Call("a", 0),
            Call("b", 1, domain: "other.example", from: "100@other.example"),
            Call("c", 2, from: "1000@demo.local", to: "100@demo.local"),
            Call("d", 3, to: "*43", route: "service:echo"),
            Call("e", 4, to: "0049301234", route: "trunk:carrier", reason: "busy"));

        Assert.Equal(["e", "d", "c", "b", "a"], await IdsAsync(store, new CallRecordQuery()));
        Assert.Equal(["e", "d", "c", "a"], await IdsAsync(store, new CallRecordQuery { Domain = "demo.local" }));
        // A bare number matches the account's number part exactly: 100 is not 1000.
        Assert.Equal(["e", "d", "b", "a"], await IdsAsync(store, new CallRecordQuery { From = "100" }));
        Assert.Equal(["e", "d", "a"], await IdsAsync(store, new CallRecordQuery { From = "100@demo.local" }));
        Assert.Equal(["c"], await IdsAsync(store, new CallRecordQuery { To = "100" }));
        Assert.Equal(["d"], await IdsAsync(store, new CallRecordQuery { To = "*43" }));
        Assert.Equal(["e"], await IdsAsync(store, new CallRecordQuery { RoutePrefix = "trunk:" }));
        Assert.Equal(["d"], await IdsAsync(store, new CallRecordQuery { RoutePrefix = "service:" }));
        Assert.Equal(["e"], await IdsAsync(store, new CallRecordQuery { Reason = "busy" }));
        Assert.Equal(["c", "b"], await IdsAsync(store, new CallRecordQuery { Since = Now.AddMinutes(1), Until = Now.AddMinutes(3) }));
        Assert.Equal(["c", "a"], await IdsAsync(store, new CallRecordQuery { Domain = "demo.local", Until = Now.AddMinutes(3) }));
    }

    [Fact]
    public async Task Pages_follow_the_before_cursor_without_gaps_or_repeats()
    {
        var store = await StoreWithAsync([.. Enumerable.Range(0, 7).Select(i => Call("r" + i, i))]);
        var seen = new List<string>();
        DateTimeOffset? before = null;
        for (var page = 0; page < 10; page++)
        {
            var records = await store.QueryAsync(new CallRecordQuery { Limit = 3, Before = before });
            if (records.Count == 0)
            {
                break;
            }

            seen.AddRange(records.Select(r => r.CallId));
            before = records[^1].StartedAt;
        }

        Assert.Equal(["r6", "r5", "r4", "r3", "r2", "r1", "r0"], seen);
    }

    [Fact]
    public async Task The_limit_is_held_between_one_and_a_thousand()
    {
        var store = await StoreWithAsync(Call("a", 0), Call("b", 1));
        Assert.Single(await store.QueryAsync(new CallRecordQuery { Limit = 0 }));
        Assert.Equal(1000, new CallRecordQuery { Limit = 5000 }.EffectiveLimit);
    }

    [Fact]
    public async Task Purge_deletes_only_the_records_started_before_the_cutoff()
    {
        var store = await StoreWithAsync(Call("old", -60 * 24 * 400), Call("edge", 0), Call("new", 1));

        Assert.Equal(1, await store.DeleteOlderThanAsync(Now));
        Assert.Equal(["new", "edge"], await IdsAsync(store, new CallRecordQuery()));
        Assert.Equal(0, await store.DeleteOlderThanAsync(Now));
    }

    [Fact]
    public async Task Queries_by_domain_use_the_index_of_migration_4()
    {
        await StoreWithAsync();
        await using var c = await Temp.Database.OpenAsync();
        using var cmd = c.CreateCommand();
        SqlCallRecordStore.Prepare(cmd, new CallRecordQuery { Domain = "demo.local", Since = Now });
        var plan = await Temp.ExplainAsync(cmd);

        Assert.Contains(plan, line => line.Contains("call_records_domain_started", StringComparison.Ordinal));
    }
}

public sealed class CallRecordQueryOnSqlite() : CallRecordQueryTests(TestEngine.Sqlite);

public sealed class CallRecordQueryOnPostgres() : CallRecordQueryTests(TestEngine.Postgres);
