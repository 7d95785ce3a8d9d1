using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Tokens;
using Switchboard.Storage;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Stores;

/// <summary>API keys, call tokens, allowed origins and the token label of a call record (docs/tokens.md, docs/widget.md).</summary>
public abstract class CallTokenStoreTests(TestEngine engine) : StoreTests(engine)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 6, 0, 0, TimeSpan.Zero);

    private async Task<(SqlCallTokenStore Store, Extension Caller)> NewStoreAsync()
    {
        await Temp.Database.MigrateAsync();
        await using var directory = new SqlDirectoryStore(Temp.Database, Temp.Secrets, TimeProvider.System);
        await directory.CreateDomainAsync("example.com");
        var caller = await directory.CreateExtensionAsync(new NewExtension("example.com", "200", "Web visitor", "web", "sip"));
        return (new SqlCallTokenStore(Temp.Database), caller);
    }

    private static CallToken Token(long keyId, long callerId, string secret, DateTimeOffset expires) =>
        new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(secret)), keyId, callerId, "201", "order 42",
            TimeSpan.FromMinutes(5), Now, expires, null);

    [Fact]
    public async Task A_key_is_found_by_its_id_with_its_hash_listed_per_domain_and_revoked_once()
    {
        var (store, caller) = await NewStoreAsync();
        var (secret, keyId, hash) = ApiKeySecret.New();

        var key = await store.CreateKeyAsync("example.com", "200", keyId, hash, "shop", Now);

        Assert.Equal(new ApiKey(key.Id, "example.com", keyId, "200", "shop", Now, null), key);
        var found = await store.FindActiveKeyAsync(keyId);
        Assert.NotNull(found);
        Assert.Equal(caller.Id, found.CallerExtensionId);
        Assert.True(ApiKeySecret.Matches(secret, found.SecretHash));
        Assert.DoesNotContain(secret, System.Text.Encoding.ASCII.GetString(found.SecretHash), StringComparison.Ordinal);
        Assert.Equal([key], await store.ListKeysAsync("example.com"));
        Assert.Empty(await store.ListKeysAsync("other.example"));

        Assert.True(await store.RevokeKeyAsync(keyId, Now.AddMinutes(1)));
        Assert.False(await store.RevokeKeyAsync(keyId, Now.AddMinutes(2)));
        Assert.Null(await store.FindActiveKeyAsync(keyId));
        Assert.Equal(Now.AddMinutes(1), Assert.Single(await store.ListKeysAsync(null)).RevokedAt);
    }

    [Fact]
    public async Task A_key_for_an_unknown_domain_or_caller_is_refused_by_name()
    {
        var (store, _) = await NewStoreAsync();
        var (_, keyId, hash) = ApiKeySecret.New();

        await Assert.ThrowsAsync<DirectoryConflictException>(() => store.CreateKeyAsync("nowhere.example", "200", keyId, hash, null, Now));
        await Assert.ThrowsAsync<DirectoryConflictException>(() => store.CreateKeyAsync("example.com", "299", keyId, hash, null, Now));
        Assert.Empty(await store.ListKeysAsync(null));
    }

    [Fact]
    public async Task A_token_is_used_once_never_after_it_expired_and_purged_once_expired()
    {
        var (store, caller) = await NewStoreAsync();
        var (_, keyId, hash) = ApiKeySecret.New();
        var key = await store.CreateKeyAsync("example.com", "200", keyId, hash, null, Now);
        var fresh = Token(key.Id, caller.Id, "fresh", Now.AddMinutes(10));
        var stale = Token(key.Id, caller.Id, "stale", Now.AddMinutes(1));
        await store.AddTokenAsync(fresh);
        await store.AddTokenAsync(stale);

        Assert.Equal(fresh, await store.FindTokenAsync(fresh.TokenHash) is { } read ? read with { TokenHash = fresh.TokenHash } : null);
        Assert.True(await store.ConsumeTokenAsync(fresh.TokenHash, Now.AddMinutes(2)));
        Assert.False(await store.ConsumeTokenAsync(fresh.TokenHash, Now.AddMinutes(3)));
        Assert.Equal(Now.AddMinutes(2), (await store.FindTokenAsync(fresh.TokenHash))!.UsedAt);

        Assert.False(await store.ConsumeTokenAsync(stale.TokenHash, Now.AddMinutes(1)));
        Assert.Null((await store.FindTokenAsync(stale.TokenHash))!.UsedAt);
        Assert.Null(await store.FindTokenAsync(Token(key.Id, caller.Id, "never", Now).TokenHash));

        Assert.Equal(1, await store.PurgeTokensAsync(Now.AddMinutes(5)));
        Assert.Null(await store.FindTokenAsync(stale.TokenHash));
        Assert.NotNull(await store.FindTokenAsync(fresh.TokenHash));
    }

    [Fact]
    public async Task Origins_are_kept_per_domain_once_each()
    {
        await NewStoreAsync();
        var origins = new SqlWebOriginStore(Temp.Database);

        Assert.True(await origins.AddOriginAsync("example.com", "https://shop.example"));
        Assert.False(await origins.AddOriginAsync("example.com", "https://shop.example"));
        Assert.True(await origins.AddOriginAsync("example.com", "http://127.0.0.1:8081"));
        await Assert.ThrowsAsync<DirectoryConflictException>(() => origins.AddOriginAsync("nowhere.example", "https://shop.example"));

        Assert.Equal(["http://127.0.0.1:8081", "https://shop.example"], await origins.ListOriginsAsync("example.com"));
        Assert.True(await origins.RemoveOriginAsync("example.com", "https://shop.example"));
        Assert.False(await origins.RemoveOriginAsync("example.com", "https://shop.example"));
        Assert.Equal(["http://127.0.0.1:8081"], await origins.ListOriginsAsync("example.com"));
    }

    [Fact]
    public async Task The_token_label_stays_on_the_record_and_on_the_record_of_a_call_the_process_died_in()
    {
        await Temp.Database.MigrateAsync();
        var record = new CallRecord("t1", "example.com", "200@example.com", "201", "token", "extension", Now, Now, Now.AddSeconds(9), "hangup", "caller", null)
        {
            TokenLabel = "order 42",
        };
        var records = new SqlCallRecordStore(Temp.Database);
        await records.AddAsync(record);
        await records.AddAsync(record with { CallId = "t2", StartedAt = Now.AddMinutes(1), TokenLabel = null });

        await using (var batched = new BatchedCallRecordStore(Temp.Database, new CallRecordBatching { FlushInterval = TimeSpan.Zero },
            TimeProvider.System, NullLogger<BatchedCallRecordStore>.Instance))
        {
            batched.MarkLive(record with { CallId = "t3", StartedAt = Now.AddMinutes(2), Reason = "interrupted", EndedBy = "pbx" });
            await batched.AddAsync(record with { CallId = "t4", StartedAt = Now.AddMinutes(3) });
        }

        // The next process on the database (a SQLite file: the one that wrote the marker is gone).
        using var next = Temp.OpenOther();
        Assert.Equal(1, await InterruptedCalls.RecordAsync(next));
        var read = (await records.ListAsync(10)).ToDictionary(r => r.CallId);
        Assert.Equal("order 42", read["t1"].TokenLabel);
        Assert.Null(read["t2"].TokenLabel);
        Assert.Equal(("interrupted", "order 42"), (read["t3"].Reason, read["t3"].TokenLabel));
        Assert.Equal("order 42", read["t4"].TokenLabel);
    }
}

public sealed class CallTokenStoreOnSqlite() : CallTokenStoreTests(TestEngine.Sqlite);

public sealed class CallTokenStoreOnPostgres() : CallTokenStoreTests(TestEngine.Postgres);
