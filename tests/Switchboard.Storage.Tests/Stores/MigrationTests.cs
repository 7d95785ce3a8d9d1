using System.Data.Common;
using Switchboard.Pbx.Directory;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

public abstract class MigrationTests(TestEngine engine) : StoreTests(engine)
{
    [Fact]
    public async Task An_empty_database_is_migrated_to_the_latest_version_with_every_table()
    {
        var version = await Temp.Database.MigrateAsync();

        Assert.Equal(Temp.Migrations.Max(m => m.Version), version);
        Assert.Equal(["api_keys", "call_records", "call_tokens", "click_to_call_allow", "dial_rules", "directory_generation", "domain_limits", "domain_origins", "domains",
            "extension_limits", "extension_permissions", "extensions", "live_calls", "login_failures", "login_lockouts", "node_heartbeats", "number_class_patterns",
            "queue_generation", "queue_members", "queues", "registrations", "sessions", "trunks"],
            await Temp.ListTablesAsync());
    }

    [Fact]
    public async Task An_existing_database_keeps_its_data_when_migrated_again()
    {
        await Temp.Database.MigrateAsync();
        await using var store = new SqlDirectoryStore(Temp.Database, Temp.Secrets, TimeProvider.System);
        await store.CreateDomainAsync("example.com");
        await store.CreateExtensionAsync(new NewExtension("example.com", "100", "Alice", "web-pw", "sip-pw"));

        using var reopened = Temp.OpenOther();
        var version = await reopened.MigrateAsync();

        Assert.Equal(Temp.Migrations.Max(m => m.Version), version);
        await using var again = new SqlDirectoryStore(reopened, Temp.Secrets, TimeProvider.System);
        var extension = await again.FindExtensionAsync("example.com", "100");
        Assert.NotNull(extension);
        Assert.Equal("web-pw", await again.GetWebPasswordAsync(extension.Id));
    }

    [Fact]
    public async Task A_database_from_an_older_version_gets_only_the_newer_migrations()
    {
        // A database that an earlier release left at version 1, with a row in it.
        await Temp.SetUpVersionAsync(1, "INSERT INTO domains (name, created_at) VALUES ('old.example', 0);");

        await Temp.Database.MigrateAsync();

        await using var store = new SqlDirectoryStore(Temp.Database, Temp.Secrets, TimeProvider.System);
        Assert.Contains(await store.ListDomainsAsync(), d => d.Name == "old.example");
        Assert.Equal(Temp.Migrations.Max(m => m.Version), await Temp.Database.GetVersionAsync());
    }

    [Fact]
    public async Task A_failing_migration_leaves_the_database_at_its_previous_version()
    {
        await using (var c = await Temp.Database.OpenAsync())
        {
            // A table named like one migration 1 creates makes migration 1 fail midway.
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE sessions (x INTEGER);";
            await cmd.ExecuteNonQueryAsync();
        }

        await Assert.ThrowsAnyAsync<DbException>(() => Temp.Database.MigrateAsync());
        Assert.Equal(0, await Temp.Database.GetVersionAsync());
    }

    [Fact]
    public async Task Migration_4_gives_a_version_2_database_the_user_role_and_keeps_its_records()
    {
        // A database a release at version 2 left, with an extension and a call record.
        await Temp.SetUpVersionAsync(2, $"""
            INSERT INTO domains (name, created_at) VALUES ('old.example', 0);
            INSERT INTO extensions (domain_id, number, display_name, web_password, sip_password, created_at) VALUES (1, '100', 'A', {Temp.HexBytes("00")}, {Temp.HexBytes("00")}, 0);
            INSERT INTO call_records (call_id, domain, from_account, destination, origin, route, started_at, ended_at, reason, ended_by)
                VALUES ('c1', 'old.example', '100@old.example', '101', 'web', 'extension', 1000, 2000, 'hangup', 'caller');
            """);

        await Temp.Database.MigrateAsync();

        await using var directory = new SqlDirectoryStore(Temp.Database, Temp.Secrets, TimeProvider.System);
        var extension = await directory.FindExtensionAsync("old.example", "100");
        Assert.Equal(ExtensionRole.User, extension?.Role);
        Assert.True(await directory.SetRoleAsync("old.example", "100", ExtensionRole.Admin));
        Assert.Equal(ExtensionRole.Admin, (await directory.GetExtensionAsync(extension!.Id))?.Role);
        Assert.False(await directory.SetRoleAsync("old.example", "999", ExtensionRole.Admin));
        Assert.Equal("c1", Assert.Single(await new SqlCallRecordStore(Temp.Database).QueryAsync(new Pbx.Calls.CallRecordQuery { Domain = "old.example" })).CallId);
    }

    [Fact]
    public async Task Migration_14_gives_call_records_the_quality_columns_and_keeps_older_records_without_figures()
    {
        await Temp.SetUpVersionAsync(13, """
            INSERT INTO call_records (call_id, domain, from_account, destination, origin, route, started_at, ended_at, reason, ended_by)
                VALUES ('c1', 'old.example', '100@old.example', '101', 'web', 'extension', 1000, 2000, 'hangup', 'caller');
            """);

        await Temp.Database.MigrateAsync();

        var columns = await Temp.ListColumnsAsync("call_records");
        Assert.Equal(["caller_loss_pct", "caller_jitter_ms", "caller_rtt_ms", "caller_mos", "callee_loss_pct", "callee_jitter_ms", "callee_rtt_ms", "callee_mos", "page_quality"],
            columns.SkipWhile(c => c != "caller_loss_pct").TakeWhile(c => c != "queue"));
        var old = Assert.Single(await new SqlCallRecordStore(Temp.Database).QueryAsync(new Pbx.Calls.CallRecordQuery { Domain = "old.example" }));
        Assert.Null(old.CallerQuality);
        Assert.Null(old.CalleeQuality);
        Assert.Null(old.PageQuality);
    }
}

public sealed class MigrationOnSqlite() : MigrationTests(TestEngine.Sqlite);

public sealed class MigrationOnPostgres() : MigrationTests(TestEngine.Postgres);

/// <summary>Needs no database: the two engines' histories list the same migration numbers.</summary>
public sealed class MigrationNumberingTests
{
    [Fact]
    public void Both_engines_number_the_same_migrations_the_same_way()
    {
        Assert.Equal(Sqlite.SqliteMigrations.All.Select(m => m.Version).Order(), Postgres.PostgresMigrations.All.Select(m => m.Version).Order());
    }
}
