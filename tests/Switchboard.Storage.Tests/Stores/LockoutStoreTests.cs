using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Security;
using Switchboard.Storage;

using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

public abstract class LockoutStoreTests(TestEngine engine) : StoreTests(engine)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);

    [Fact]
    public async Task Saved_lockouts_are_read_back_by_a_new_store_while_in_force()
    {
        await Temp.Database.MigrateAsync();
        await using (var store = new SqlLockoutStore(Temp.Database, _time, NullLogger<SqlLockoutStore>.Instance))
        {
            store.Save(new LoginLockout("a:100@demo.local", Now.AddMinutes(15)));
            store.Save(new LoginLockout("ip:10.0.0.7", Now.AddMinutes(5)));
            store.Save(new LoginLockout("a:100@demo.local", Now.AddMinutes(10)));
        }

        await using var again = new SqlLockoutStore(Temp.Database, _time, NullLogger<SqlLockoutStore>.Instance);
        var active = await again.LoadActiveAsync(Now);
        Assert.Equal([new LoginLockout("a:100@demo.local", Now.AddMinutes(15)), new LoginLockout("ip:10.0.0.7", Now.AddMinutes(5))],
            active.OrderBy(l => l.Key));
        Assert.Equal(["a:100@demo.local"], (await again.LoadActiveAsync(Now.AddMinutes(5))).Select(l => l.Key));
    }
}

public sealed class LockoutStoreOnSqlite() : LockoutStoreTests(TestEngine.Sqlite);

public sealed class LockoutStoreOnPostgres() : LockoutStoreTests(TestEngine.Postgres);
