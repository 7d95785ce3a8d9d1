using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Queues;
using Switchboard.Storage;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

/// <summary>Call queues, their members, and the queue fields of a call record (migration 15, docs/queues.md).</summary>
public abstract class QueueStoreTests(TestEngine engine) : StoreTests(engine)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 6, 0, 0, TimeSpan.Zero);

    private static QueueDefinition Sales(params string[] members) =>
        new(0, "Example.com", "sales", "800", QueueStrategy.LongestIdle, members, TimeSpan.FromSeconds(90), "queue:support",
            TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(12), "de", "jazz.wav");

    private async Task<SqlQueueStore> NewStoreAsync()
    {
        await Temp.Database.MigrateAsync();
        await using var directory = new SqlDirectoryStore(Temp.Database, Temp.Secrets, TimeProvider.System);
        await directory.CreateDomainAsync("example.com");
        foreach (var number in new[] { "100", "101", "102" })
        {
            await directory.CreateExtensionAsync(new NewExtension("example.com", number, "Agent " + number, "web", "sip"));
        }

        return new SqlQueueStore(Temp.Database, TimeProvider.System);
    }

    [Fact]
    public async Task A_queue_is_stored_with_every_setting_and_its_members_in_order()
    {
        var store = await NewStoreAsync();
        var added = await store.AddAsync(Sales("101", "100"));
        await store.AddMemberAsync("example.com", "sales", "102");

        var read = Assert.Single(await store.ListAsync("example.com"));
        IReadOnlyList<string> same = [];
        Assert.Equal(added with { Members = same, Domain = "example.com" }, read with { Members = same });
        Assert.Equal(["101", "100", "102"], read.Members);
        Assert.Empty(await store.ListAsync("other.example"));

        Assert.True(await store.RemoveMemberAsync("example.com", "sales", "100"));
        Assert.False(await store.RemoveMemberAsync("example.com", "sales", "100"));
        Assert.Equal(["101", "102"], Assert.Single(await store.ListAsync(null)).Members);
        Assert.True(await store.RemoveAsync("example.com", "sales"));
        Assert.Empty(await store.ListAsync(null));
    }

    [Fact]
    public async Task Every_change_to_a_queue_or_its_members_moves_the_change_counter()
    {
        var store = await NewStoreAsync();
        var seen = new List<long> { await store.ReadGenerationAsync() };
        async Task Moved()
        {
            var now = await store.ReadGenerationAsync();
            Assert.True(now > seen[^1], $"the counter stayed at {now}");
            seen.Add(now);
        }

        await store.AddAsync(Sales("100"));
        await Moved();
        await store.AddMemberAsync("example.com", "sales", "101");
        await Moved();
        await store.RemoveMemberAsync("example.com", "sales", "100");
        await Moved();
        await store.RemoveAsync("example.com", "sales");
        await Moved();
        Assert.Equal(seen[^1], await store.ReadGenerationAsync());
    }

    [Fact]
    public async Task Unknown_domains_extensions_queues_and_repeats_are_refused_by_name()
    {
        var store = await NewStoreAsync();
        await Assert.ThrowsAsync<DirectoryConflictException>(() => store.AddAsync(Sales() with { Domain = "nowhere.example" }));
        await Assert.ThrowsAsync<DirectoryConflictException>(() => store.AddAsync(Sales("100", "555")));
        Assert.Empty(await store.ListAsync(null));

        await store.AddAsync(Sales("100"));
        await Assert.ThrowsAsync<DirectoryConflictException>(() => store.AddAsync(Sales()));
        await Assert.ThrowsAsync<DirectoryConflictException>(() => store.AddMemberAsync("example.com", "sales", "100"));
        await Assert.ThrowsAsync<DirectoryConflictException>(() => store.AddMemberAsync("example.com", "support", "101"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AddAsync(Sales() with { Name = "bad name" }));
    }

    [Fact]
    public async Task A_call_record_keeps_the_queue_the_wait_and_the_agent()
    {
        await Temp.Database.MigrateAsync();
        var records = new SqlCallRecordStore(Temp.Database);
        var record = new CallRecord("q1", "example.com", "200@example.com", "800", "web", "queue:sales", Now, Now, Now.AddMinutes(3), "hangup", "caller", null)
        {
            Queue = "sales",
            QueueWait = TimeSpan.FromMilliseconds(42_500),
            Agent = "101",
        };
        await records.AddAsync(record);
        await records.AddAsync(record with { CallId = "q2", StartedAt = Now.AddMinutes(1), Queue = null, QueueWait = null, Agent = null });

        var read = (await records.ListAsync(10)).ToDictionary(r => r.CallId);
        Assert.Equal(("sales", TimeSpan.FromMilliseconds(42_500), "101"), (read["q1"].Queue, read["q1"].QueueWait, read["q1"].Agent));
        Assert.Equal((null, null, null), (read["q2"].Queue, read["q2"].QueueWait, read["q2"].Agent));
    }
}

public sealed class QueueStoreOnSqlite() : QueueStoreTests(TestEngine.Sqlite);

public sealed class QueueStoreOnPostgres() : QueueStoreTests(TestEngine.Postgres);
