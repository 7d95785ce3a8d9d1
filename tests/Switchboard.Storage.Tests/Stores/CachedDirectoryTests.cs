using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Directory;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

/// <summary>The directory cache over the real store, on each engine: hits, misses, and every way a change must reach it.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync.")]
public abstract class CachedDirectoryTests(TestEngine engine) : StoreTests(engine)
{
    private static readonly DirectoryCacheOptions Options = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private SqlDirectoryStore? _store;

    public override async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private async Task<CachedDirectoryStore> NewCacheAsync(DirectoryCacheOptions? options = null)
    {
        await Temp.Database.MigrateAsync();
        _store = new SqlDirectoryStore(Temp.Database, Temp.Secrets, _time);
        var cache = new CachedDirectoryStore(_store, _store, options ?? Options, _time);
        await cache.CreateDomainAsync("demo.local");
        await cache.CreateExtensionAsync(new NewExtension("demo.local", "100", "Alice", "web-1", "sip-1"));
        return cache;
    }

    /// <summary>What the admin CLI or another node is: another connection pool and store on the same database.</summary>
    private SqlDirectoryStore OtherProcess() => new(Temp.OpenOther(), Temp.Secrets, TimeProvider.System);

    [Fact]
    public async Task A_second_look_up_is_answered_from_memory()
    {
        var cache = await NewCacheAsync();

        var first = await cache.FindExtensionAsync("demo.local", "100");
        var again = await cache.FindExtensionAsync("demo.local", "100");
        Assert.Equal("sip-1", await cache.GetSipPasswordAsync(first!.Id));
        Assert.Equal("sip-1", await cache.GetSipPasswordAsync(first.Id));
        Assert.NotNull(await cache.FindDomainAsync("demo.local"));
        Assert.NotNull(await cache.FindDomainAsync("demo.local"));

        Assert.Equal(first, again);
        Assert.Equal(3, cache.Misses);
        Assert.Equal(3, cache.Hits);
    }

    [Fact]
    public async Task A_change_through_the_cache_shows_at_once()
    {
        var cache = await NewCacheAsync();
        var alice = (await cache.FindExtensionAsync("demo.local", "100"))!;
        Assert.Equal("sip-1", await cache.GetSipPasswordAsync(alice.Id));

        Assert.True(await cache.SetSipPasswordAsync("demo.local", "100", "sip-2"));
        Assert.True(await cache.SetRoleAsync("demo.local", "100", ExtensionRole.Admin));

        Assert.Equal("sip-2", await cache.GetSipPasswordAsync(alice.Id));
        Assert.Equal(ExtensionRole.Admin, (await cache.FindExtensionAsync("demo.local", "100"))!.Role);
        Assert.Equal(ExtensionRole.Admin, (await cache.GetExtensionAsync(alice.Id))!.Role);
    }

    [Fact]
    public async Task A_change_by_another_process_shows_within_the_check_interval()
    {
        var cache = await NewCacheAsync();
        var alice = (await cache.FindExtensionAsync("demo.local", "100"))!;
        Assert.Equal("sip-1", await cache.GetSipPasswordAsync(alice.Id));
        Assert.Null(await cache.FindExtensionAsync("demo.local", "101"));

        await using var cli = OtherProcess();
        Assert.True(await cli.SetSipPasswordAsync("demo.local", "100", "sip-2"));
        await cli.CreateExtensionAsync(new NewExtension("demo.local", "101", "Bob", "w", "s"));

        // Before the interval the cache may still answer from memory ...
        _time.Advance(Options.VersionCheckInterval - TimeSpan.FromMilliseconds(1));
        Assert.Equal("sip-1", await cache.GetSipPasswordAsync(alice.Id));

        // ... once it has passed, the change counter has moved and everything is read again.
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("sip-2", await cache.GetSipPasswordAsync(alice.Id));
        Assert.NotNull(await cache.FindExtensionAsync("demo.local", "101"));
    }

    [Fact]
    public async Task Triggers_bump_the_version_on_every_change_to_domains_and_extensions()
    {
        var cache = await NewCacheAsync();
        await using var cli = OtherProcess();
        var before = await _store!.ReadVersionAsync();

        await cli.CreateDomainAsync("other.example");
        var afterDomain = await _store!.ReadVersionAsync();
        await cli.SetWebPasswordAsync("demo.local", "100", "web-2");
        var afterPassword = await _store!.ReadVersionAsync();

        Assert.True(afterDomain > before);
        Assert.True(afterPassword > afterDomain);
        Assert.NotNull(cache);
    }

    [Fact]
    public async Task An_unknown_extension_is_remembered_briefly()
    {
        var cache = await NewCacheAsync(Options with { VersionCheckInterval = TimeSpan.FromHours(1) });
        await cache.FindExtensionAsync("demo.local", "100");
        var misses = cache.Misses;

        Assert.Null(await cache.FindExtensionAsync("demo.local", "555"));
        Assert.Null(await cache.FindExtensionAsync("demo.local", "555"));
        Assert.Equal(misses + 1, cache.Misses);

        _time.Advance(Options.NegativeLifetime);
        Assert.Null(await cache.FindExtensionAsync("demo.local", "555"));
        Assert.Equal(misses + 2, cache.Misses);
    }

    [Fact]
    public async Task A_sip_password_is_read_again_after_its_lifetime()
    {
        var cache = await NewCacheAsync(Options with { VersionCheckInterval = TimeSpan.FromDays(1) });
        var alice = (await cache.FindExtensionAsync("demo.local", "100"))!;
        await cache.GetSipPasswordAsync(alice.Id);
        var misses = cache.Misses;

        _time.Advance(Options.SecretLifetime);
        await cache.GetSipPasswordAsync(alice.Id);
        await cache.FindExtensionAsync("demo.local", "100");

        Assert.Equal(misses + 1, cache.Misses);
    }

    [Fact]
    public async Task The_cache_holds_at_most_its_capacity_per_kind()
    {
        var cache = await NewCacheAsync(Options with { Capacity = 2, VersionCheckInterval = TimeSpan.FromHours(1) });
        foreach (var number in new[] { "1", "2", "3" })
        {
            await cache.FindExtensionAsync("demo.local", number);
        }

        var misses = cache.Misses;
        await cache.FindExtensionAsync("demo.local", "3");
        await cache.FindExtensionAsync("demo.local", "1");

        // "3" came after the kind was emptied at capacity and stays; "1" went with the rest.
        Assert.Equal(misses + 1, cache.Misses);
    }
}

public sealed class CachedDirectoryOnSqlite() : CachedDirectoryTests(TestEngine.Sqlite);

public sealed class CachedDirectoryOnPostgres() : CachedDirectoryTests(TestEngine.Postgres);
