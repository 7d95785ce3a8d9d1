using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;
using Switchboard.Storage;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Benchmarks;

/// <summary>
/// What a SIP call costs the store (docs/benchmarks.md, "Store per call"): an extension look-up and a SIP password as
/// the store did them before issue 11 (a pooled connection and a freshly parsed statement each), with prepared
/// statements, and from the cache; a call record in its own transaction against one in a group-committed batch.
/// A real SQLite file in a temporary folder, 1,000 extensions.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet needs an unsealed class and releases the fields in [GlobalCleanup].")]
public class StoreBenchmarks
{
    private const int Batch = 256;
    private string _folder = null!;
    private SqliteDatabase _db = null!;
    private AesGcmSecretProtector _secrets = null!;
    private SqlDirectoryStore _store = null!;
    private CachedDirectoryStore _cache = null!;
    private SqlCallRecordStore _single = null!;
    private BatchedCallRecordStore _batched = null!;
    private long _extensionId;
    private int _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Directory.CreateTempSubdirectory("sb-bench-store-").FullName;
        _db = new SqliteDatabase(Path.Combine(_folder, "bench.db"));
        await _db.MigrateAsync();
        _secrets = new AesGcmSecretProtector(RandomNumberGenerator.GetBytes(AesGcmSecretProtector.KeySize));
        _store = new SqlDirectoryStore(_db, _secrets, TimeProvider.System);
        _cache = new CachedDirectoryStore(_store, _store, new DirectoryCacheOptions(), TimeProvider.System);
        await _store.CreateDomainAsync("demo.local");
        for (var i = 1000; i < 2000; i++)
        {
            var number = i.ToString(CultureInfo.InvariantCulture);
            await _store.CreateExtensionAsync(new NewExtension("demo.local", number, "Bench " + number, "web-" + number, "sip-" + number));
        }

        _extensionId = (await _store.FindExtensionAsync("demo.local", "1500"))!.Id;
        _single = new SqlCallRecordStore(_db);
        _batched = new BatchedCallRecordStore(_db, new CallRecordBatching { FlushInterval = TimeSpan.Zero, MaxBatch = Batch }, TimeProvider.System,
            NullLogger<BatchedCallRecordStore>.Instance);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _batched.DisposeAsync();
        await _store.DisposeAsync();
        _secrets.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task<string> Extension_unprepared()
    {
        await using var c = _db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT e.id, d.name, e.number, e.display_name, e.created_at, e.role FROM extensions e " +
            "JOIN domains d ON d.id = e.domain_id WHERE d.name = $domain AND e.number = $number;";
        cmd.Parameters.AddWithValue("$domain", "demo.local");
        cmd.Parameters.AddWithValue("$number", "1500");
        await using var r = await cmd.ExecuteReaderAsync();
        return await r.ReadAsync() ? r.GetString(3) : "";
    }

    [Benchmark]
    public async Task<Extension?> Extension_prepared() => await _store.FindExtensionAsync("demo.local", "1500");

    [Benchmark]
    public async Task<Extension?> Extension_cached() => await _cache.FindExtensionAsync("demo.local", "1500");

    [Benchmark]
    public async Task<string?> SipPassword_unprepared()
    {
        await using var c = _db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT sip_password FROM extensions WHERE id = $id;";
        cmd.Parameters.AddWithValue("$id", _extensionId);
        return await cmd.ExecuteScalarAsync() is byte[] blob ? _secrets.Unprotect(blob) : null;
    }

    [Benchmark]
    public async Task<string?> SipPassword_prepared() => await _store.GetSipPasswordAsync(_extensionId);

    [Benchmark]
    public async Task<string?> SipPassword_cached() => await _cache.GetSipPasswordAsync(_extensionId);

    /// <summary>One record, one transaction, one fsync: what every call cost before.</summary>
    [Benchmark]
    public Task CallRecord_single() => _single.AddAsync(NextRecord());

    /// <summary>Per record, of <see cref="Batch"/> added at once and committed by the one writer.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public Task CallRecord_batched()
    {
        var adds = new Task[Batch];
        for (var i = 0; i < Batch; i++)
        {
            adds[i] = _batched.AddAsync(NextRecord());
        }

        return Task.WhenAll(adds);
    }

    private CallRecord NextRecord()
    {
        var id = "bench-" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
        var at = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        return new CallRecord(id, "demo.local", "1500@demo.local", "*43", "sip", "service:echo", at, at, at.AddSeconds(30), "hangup", "caller", null);
    }
}
