using Switchboard.Pbx.Calls;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

/// <summary>The call record's quality columns (docs/call-records.md): each leg's figures and the page's report, kept as written.</summary>
public abstract class CallRecordQualityTests(TestEngine engine) : StoreTests(engine)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 13, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Both_legs_figures_and_the_page_report_round_trip_and_a_missing_round_trip_stays_null()
    {
        await Temp.Database.MigrateAsync();
        var records = new SqlCallRecordStore(Temp.Database);
        var measured = new CallRecord("a", "demo.local", "100@demo.local", "101", "web", "extension", Now, Now, Now.AddSeconds(30), "hangup", "caller", null)
        {
            CallerQuality = new LegQualityFigures(2.5, 12.3, 48.7, 4.12),
            CalleeQuality = new LegQualityFigures(0, 1.5, null, 4.39),
            PageQuality = """{"lossPercent":1.25,"jitterMs":9.5,"roundTripMs":40,"audioLevel":0.02,"warning":"mic"}""",
        };
        var unmeasured = measured with { CallId = "b", StartedAt = Now.AddMinutes(1), CallerQuality = null, CalleeQuality = null, PageQuality = null };
        await records.AddAsync(measured);
        await records.AddAsync(unmeasured);

        var list = await records.ListAsync(10);

        Assert.Equal([unmeasured, measured], list);
        Assert.Equal(new LegQualityFigures(2.5, 12.3, 48.7, 4.12), list[1].CallerQuality);
        Assert.Null(list[1].CalleeQuality!.RoundTripMs);
        Assert.Null(list[0].CallerQuality);
    }
}

public sealed class CallRecordQualityOnSqlite() : CallRecordQualityTests(TestEngine.Sqlite);

public sealed class CallRecordQualityOnPostgres() : CallRecordQualityTests(TestEngine.Postgres);
