using Switchboard.Pbx.Calls;
using Switchboard.Storage;

using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

/// <summary>The call record's <c>phases</c> column (docs/call-records.md): kept as written, and null stays null.</summary>
public abstract class CallRecordPhasesTests(TestEngine engine) : StoreTests(engine)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Phases_round_trip_and_a_record_without_them_reads_back_null()
    {
        var temp = Temp;
        await temp.Database.MigrateAsync();
        var records = new SqlCallRecordStore(temp.Database);
        const string Phases = """{"pbx":{"offer":0,"answer_sent":4.2,"srtp_out":38.6},"page":{"parsed":12.5,"connected":140}}""";
        var with = new CallRecord("a", "demo.local", "100@demo.local", "*43", "web", "service:echo", Now, Now, Now.AddSeconds(5), "hangup", "caller", null) { Phases = Phases };
        var without = with with { CallId = "b", StartedAt = Now.AddMinutes(1), EndedAt = Now.AddMinutes(2), Phases = null };
        await records.AddAsync(with);
        await records.AddAsync(without);

        var list = await records.ListAsync(10);

        Assert.Equal([without, with], list);
        Assert.Equal(Phases, list[1].Phases);
        Assert.Null(list[0].Phases);
    }
}

public sealed class CallRecordPhasesOnSqlite() : CallRecordPhasesTests(TestEngine.Sqlite);

public sealed class CallRecordPhasesOnPostgres() : CallRecordPhasesTests(TestEngine.Postgres);
