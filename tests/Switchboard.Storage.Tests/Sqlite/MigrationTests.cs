using Microsoft.Data.Sqlite;
using Switchboard.Pbx.Directory;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Storage.Tests.Sqlite;

public class MigrationTests
{
    [Fact]
    public async Task An_empty_file_is_migrated_to_the_latest_version_with_every_table()
    {
        using var temp = new TempDatabase();
        var version = await temp.Database.MigrateAsync();

        Assert.Equal(Migrations.All.Max(m => m.Version), version);
        await using var c = await temp.Database.OpenAsync();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;";
        var tables = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
            {
                tables.Add(r.GetString(0));
            }
        }

        Assert.Equal(["call_records", "click_to_call_allow", "dial_rules", "directory_generation", "domain_limits", "domains", "extension_limits",
            "extension_permissions", "extensions", "live_calls", "login_failures", "login_lockouts", "node_state", "number_class_patterns", "registrations", "sessions", "trunks"], tables);
    }

    [Fact]
    public async Task An_existing_database_keeps_its_data_when_migrated_again()
    {
        using var temp = new TempDatabase();
        await temp.Database.MigrateAsync();
        var store = new SqliteDirectoryStore(temp.Database, temp.Secrets, TimeProvider.System);
        await store.CreateDomainAsync("example.com");
        await store.CreateExtensionAsync(new NewExtension("example.com", "100", "Alice", "web-pw", "sip-pw"));

        var reopened = new SqliteDatabase(temp.Database.Path);
        var version = await reopened.MigrateAsync();

        Assert.Equal(Migrations.All.Max(m => m.Version), version);
        var again = new SqliteDirectoryStore(reopened, temp.Secrets, TimeProvider.System);
        var extension = await again.FindExtensionAsync("example.com", "100");
        Assert.NotNull(extension);
        Assert.Equal("web-pw", await again.GetWebPasswordAsync(extension.Id));
    }

    [Fact]
    public async Task A_database_from_an_older_version_gets_only_the_newer_migrations()
    {
        using var temp = new TempDatabase();
        await using (var c = await temp.Database.OpenAsync())
        {
            // A file that an earlier release left at version 1, with a row in it.
            using var cmd = c.CreateCommand();
            cmd.CommandText = Migrations.All.Single(m => m.Version == 1).Sql +
                "\nINSERT INTO domains (name, created_at) VALUES ('old.example', 0);\nPRAGMA user_version = 1;";
            await cmd.ExecuteNonQueryAsync();
        }

        await temp.Database.MigrateAsync();

        var store = new SqliteDirectoryStore(temp.Database, temp.Secrets, TimeProvider.System);
        Assert.Contains(await store.ListDomainsAsync(), d => d.Name == "old.example");
        Assert.Equal(Migrations.All.Max(m => m.Version), await temp.Database.GetVersionAsync());
    }

    [Fact]
    public async Task A_failing_migration_leaves_the_file_at_its_previous_version()
    {
        using var temp = new TempDatabase();
        await using (var c = await temp.Database.OpenAsync())
        {
            // A table named like one migration 1 creates makes migration 1 fail midway.
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE sessions (x INTEGER);";
            await cmd.ExecuteNonQueryAsync();
        }

        await Assert.ThrowsAsync<SqliteException>(() => temp.Database.MigrateAsync());
        Assert.Equal(0, await temp.Database.GetVersionAsync());
    }

    [Fact]
    public async Task Migration_4_gives_a_version_2_file_the_user_role_and_keeps_its_records()
    {
        using var temp = new TempDatabase();
        await using (var c = await temp.Database.OpenAsync())
        {
            // A file a release at version 2 left, with an extension and a call record.
            using var cmd = c.CreateCommand();
            cmd.CommandText = string.Join('\n', Migrations.All.Where(m => m.Version <= 2).Select(m => m.Sql)) + """

                INSERT INTO domains (name, created_at) VALUES ('old.example', 0);
                INSERT INTO extensions (domain_id, number, display_name, web_password, sip_password, created_at) VALUES (1, '100', 'A', x'00', x'00', 0);
                INSERT INTO call_records (call_id, domain, from_account, destination, origin, route, started_at, ended_at, reason, ended_by)
                    VALUES ('c1', 'old.example', '100@old.example', '101', 'web', 'extension', 1000, 2000, 'hangup', 'caller');
                PRAGMA user_version = 2;
                """;
            await cmd.ExecuteNonQueryAsync();
        }

        await temp.Database.MigrateAsync();

        var directory = new SqliteDirectoryStore(temp.Database, temp.Secrets, TimeProvider.System);
        var extension = await directory.FindExtensionAsync("old.example", "100");
        Assert.Equal(ExtensionRole.User, extension?.Role);
        Assert.True(await directory.SetRoleAsync("old.example", "100", ExtensionRole.Admin));
        Assert.Equal(ExtensionRole.Admin, (await directory.GetExtensionAsync(extension!.Id))?.Role);
        Assert.False(await directory.SetRoleAsync("old.example", "999", ExtensionRole.Admin));
        Assert.Equal("c1", Assert.Single(await new SqliteCallRecordStore(temp.Database).QueryAsync(new Pbx.Calls.CallRecordQuery { Domain = "old.example" })).CallId);
    }
}
