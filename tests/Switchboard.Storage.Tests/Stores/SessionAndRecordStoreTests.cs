using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Sessions;
using Switchboard.Storage;

using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

public abstract class SessionAndRecordStoreTests(TestEngine engine) : StoreTests(engine)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Sessions_are_found_until_expiry_or_revocation()
    {
        var temp = Temp;
        await temp.Database.MigrateAsync();
        var directory = new SqlDirectoryStore(temp.Database, temp.Secrets, TimeProvider.System);
        await directory.CreateDomainAsync("demo.local");
        var ext = await directory.CreateExtensionAsync(new NewExtension("demo.local", "100", "A", "w", "s"));
        var store = new SqlSessionStore(temp.Database);
        byte[] hash = [1, 2, 3, 4];
        await store.CreateAsync(new StoredSession(hash, ext.Id, "de", Now, Now.AddHours(1)));

        Assert.Equal("de", (await store.FindActiveAsync(hash, Now.AddMinutes(59)))?.Language);
        Assert.Null(await store.FindActiveAsync(hash, Now.AddHours(1)));
        Assert.Null(await store.FindActiveAsync([9], Now));

        await store.RevokeAsync(hash, Now.AddMinutes(1));
        Assert.Null(await store.FindActiveAsync(hash, Now.AddMinutes(2)));
        Assert.Equal(1, await store.PurgeAsync(Now.AddHours(2)));
    }

    [Fact]
    public async Task Call_records_and_login_failures_round_trip_newest_first()
    {
        var temp = Temp;
        await temp.Database.MigrateAsync();
        var records = new SqlCallRecordStore(temp.Database);
        var first = new CallRecord("a", "demo.local", "100@demo.local", "101", "web", "extension", Now, Now.AddSeconds(2), Now.AddSeconds(12), "hangup", "caller", "12#") { DigitLog = "1:120 2:100 #:110" };
        var second = first with { CallId = "b", StartedAt = Now.AddMinutes(1), AnsweredAt = null, EndedAt = Now.AddMinutes(1), Digits = null, DigitLog = null };
        await records.AddAsync(first);
        await records.AddAsync(second);

        var list = await records.ListAsync(10);
        Assert.Equal([second, first], list);
        Assert.Equal(TimeSpan.FromSeconds(10), list[1].Duration);

        var failures = new SqlLoginFailureStore(temp.Database);
        await failures.RecordAsync(new LoginFailure(Now, "100@demo.local", "127.0.0.1", "web", "bad_credentials"));
        Assert.Equal("bad_credentials", Assert.Single(await failures.ListAsync(5)).Reason);
    }
}

public sealed class SessionAndRecordStoreOnSqlite() : SessionAndRecordStoreTests(TestEngine.Sqlite);

public sealed class SessionAndRecordStoreOnPostgres() : SessionAndRecordStoreTests(TestEngine.Postgres);
