using System.Text;
using Switchboard.Pbx.Directory;
using Switchboard.Storage;

using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

public abstract class DirectoryStoreTests(TestEngine engine) : StoreTests(engine)
{
    private static async Task<SqlDirectoryStore> NewStoreAsync(TempDatabase temp)
    {
        await temp.Database.MigrateAsync();
        var store = new SqlDirectoryStore(temp.Database, temp.Secrets, TimeProvider.System);
        await store.CreateDomainAsync("demo.local");
        return store;
    }

    [Fact]
    public async Task Passwords_are_sealed_at_rest_and_readable_through_the_store()
    {
        var temp = Temp;
        var store = await NewStoreAsync(temp);
        var ext = await store.CreateExtensionAsync(new NewExtension("demo.local", "100", "Alice", "WebSecret-42", "SipSecret-43"));

        Assert.Equal("WebSecret-42", await store.GetWebPasswordAsync(ext.Id));
        Assert.Equal("SipSecret-43", await store.GetSipPasswordAsync(ext.Id));
        var file = Encoding.Latin1.GetString(await temp.ReadStoredBytesAsync());
        Assert.DoesNotContain("WebSecret-42", file, StringComparison.Ordinal);
        Assert.DoesNotContain("SipSecret-43", file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicates_and_unknown_domains_are_conflicts()
    {
        var temp = Temp;
        var store = await NewStoreAsync(temp);
        await store.CreateExtensionAsync(new NewExtension("demo.local", "100", "Alice", "a", "b"));

        await Assert.ThrowsAsync<DirectoryConflictException>(() => store.CreateExtensionAsync(new NewExtension("demo.local", "100", "Again", "a", "b")));
        await Assert.ThrowsAsync<DirectoryConflictException>(() => store.CreateExtensionAsync(new NewExtension("nowhere.example", "100", "X", "a", "b")));
        await Assert.ThrowsAsync<DirectoryConflictException>(() => store.CreateDomainAsync("DEMO.local"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateExtensionAsync(new NewExtension("demo.local", "12a", "X", "a", "b")));
    }

    [Fact]
    public async Task Set_password_replaces_only_the_named_one()
    {
        var temp = Temp;
        var store = await NewStoreAsync(temp);
        var ext = await store.CreateExtensionAsync(new NewExtension("demo.local", "100", "Alice", "old-web", "old-sip"));

        Assert.True(await store.SetWebPasswordAsync("demo.local", "100", "new-web"));
        Assert.False(await store.SetWebPasswordAsync("demo.local", "999", "x"));

        Assert.Equal("new-web", await store.GetWebPasswordAsync(ext.Id));
        Assert.Equal("old-sip", await store.GetSipPasswordAsync(ext.Id));
    }

    [Fact]
    public async Task Lists_are_ordered_by_domain_then_number()
    {
        var temp = Temp;
        var store = await NewStoreAsync(temp);
        foreach (var n in new[] { "1000", "101", "100", "20" })
        {
            await store.CreateExtensionAsync(new NewExtension("demo.local", n, n, "w", "s"));
        }

        Assert.Equal(["20", "100", "101", "1000"], (await store.ListExtensionsAsync("demo.local")).Select(e => e.Number));
        Assert.Empty(await store.ListExtensionsAsync("other.example"));
    }

    [Fact]
    public async Task Rename_and_roles_round_trip_and_a_bad_display_name_is_refused()
    {
        var temp = Temp;
        var store = await NewStoreAsync(temp);
        var ext = await store.CreateExtensionAsync(new NewExtension("demo.local", "100", "Alice", "w", "s"));

        Assert.True(await store.RenameExtensionAsync("demo.local", "100", "Alice Liddell"));
        Assert.False(await store.RenameExtensionAsync("demo.local", "999", "Nobody"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.RenameExtensionAsync("demo.local", "100", "two\r\nlines"));
        Assert.True(await store.SetRoleAsync("demo.local", "100", ExtensionRole.SystemAdmin));

        var read = await store.GetExtensionAsync(ext.Id);
        Assert.Equal("Alice Liddell", read?.DisplayName);
        Assert.Equal(ExtensionRole.SystemAdmin, read?.Role);
    }

    [Fact]
    public async Task Delete_removes_the_extension_with_its_sessions_and_permissions()
    {
        var temp = Temp;
        var store = await NewStoreAsync(temp);
        var ext = await store.CreateExtensionAsync(new NewExtension("demo.local", "100", "Alice", "w", "s"));
        await store.CreateExtensionAsync(new NewExtension("demo.local", "101", "Bob", "w", "s"));
        var sessions = new SqlSessionStore(temp.Database);
        var now = DateTimeOffset.UtcNow;
        await sessions.CreateAsync(new Pbx.Sessions.StoredSession([1, 2, 3], ext.Id, "en", now, now.AddHours(1)));
        var policy = new SqlPolicyStore(temp.Database);
        await policy.SetPermissionsAsync("demo.local", "100", new HashSet<Pbx.Policy.NumberClass> { Pbx.Policy.NumberClass.Internal });

        Assert.True(await store.DeleteExtensionAsync("demo.local", "100"));
        Assert.False(await store.DeleteExtensionAsync("demo.local", "100"));

        Assert.Null(await store.GetExtensionAsync(ext.Id));
        Assert.Equal(["101"], (await store.ListExtensionsAsync("demo.local")).Select(e => e.Number));
        Assert.Null(await sessions.FindActiveAsync([1, 2, 3], now));
        await store.CreateExtensionAsync(new NewExtension("demo.local", "100", "New Alice", "w", "s"));
        Assert.Null(await policy.GetPermissionsAsync("demo.local", "100"));
    }
}

public sealed class DirectoryStoreOnSqlite() : DirectoryStoreTests(TestEngine.Sqlite);

public sealed class DirectoryStoreOnPostgres() : DirectoryStoreTests(TestEngine.Postgres);
