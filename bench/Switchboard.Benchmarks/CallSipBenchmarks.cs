using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Registrar;
using Switchboard.Pbx.Security;
using Switchboard.Storage;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Benchmarks;

/// <summary>
/// One whole call's SIP work in the PBX (<see cref="CallSipWork"/>): the load test's call (INVITE, 401, ACK, INVITE with
/// digest, 200, ACK, BYE) on the caller's side and INVITE, 200, ACK, BYE on the callee's, with SDP offer and answer. The
/// allocated column is the PBX's bytes per call for SIP, deterministic; docs/benchmarks.md, "Hot paths".
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet needs an unsealed class and releases the fields in [GlobalCleanup].")]
public class CallSipBenchmarks
{
    private string _folder = null!;
    private SqliteDatabase _db = null!;
    private AesGcmSecretProtector _secrets = null!;
    private SqlDirectoryStore _store = null!;
    private LoginThrottle _throttle = null!;
    private CallSipWork _call = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Directory.CreateTempSubdirectory("sb-bench-call-").FullName;
        _db = new SqliteDatabase(Path.Combine(_folder, "bench.db"));
        await _db.MigrateAsync();
        _secrets = new AesGcmSecretProtector(RandomNumberGenerator.GetBytes(AesGcmSecretProtector.KeySize));
        _store = new SqlDirectoryStore(_db, _secrets, TimeProvider.System);
        await _store.CreateDomainAsync("load.test");
        await _store.CreateExtensionAsync(new NewExtension("load.test", "2000", "Caller 2000", "web-2000", CallSipPeers.Password));
        await _store.CreateExtensionAsync(new NewExtension("load.test", "1000", "Callee 1000", "web-1000", CallSipPeers.Password));
        var cache = new CachedDirectoryStore(_store, _store, new DirectoryCacheOptions(), TimeProvider.System);
        _throttle = new LoginThrottle(new SecurityOptions(), TimeProvider.System);
        var authenticator = new SipRequestAuthenticator(cache, _throttle, new RegistrarOptions { DefaultDomain = "load.test" }, TimeProvider.System,
            NullLogger<SipRequestAuthenticator>.Instance);
        _call = new CallSipWork(authenticator);

        // The first call fills the directory cache (misses are read on the thread pool); wait for it, as the load test's warm-up does.
        for (var i = 0; i < 100; i++)
        {
            await cache.FindDomainAsync("load.test");
            await cache.FindExtensionAsync("load.test", "2000");
            var extension = await cache.FindExtensionAsync("load.test", "2000");
            await cache.GetSipPasswordAsync(extension!.Id);
        }

        _call.OneCall();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _throttle.Dispose();
        await _store.DisposeAsync();
        _secrets.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public void OneCall() => _call.OneCall();

    /// <summary>
    /// <c>--stages [calls]</c>: where a call's bytes and time go, step by step, averaged over the calls after a warm-up
    /// (bytes allocated on this thread, wall time; run it on a quiet machine for the times).
    /// </summary>
    /// <summary>
    /// <c>--alloc-types [calls]</c>: the bytes of a call's SIP work by type, from the runtime's allocation sampling
    /// (<see cref="AllocationSampler"/>), averaged over the calls after a warm-up.
    /// </summary>
    public static async Task PrintAllocationTypesAsync(int calls)
    {
        var bench = new CallSipBenchmarks();
        await bench.SetupAsync();
        for (var i = 0; i < 2000; i++)
        {
            bench._call.OneCall();
        }

        using var sampler = new AllocationSampler();
        sampler.Sampling = true;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++)
        {
            bench._call.OneCall();
        }

        var total = GC.GetTotalAllocatedBytes(precise: true) - before;
        sampler.Sampling = false;
        Console.WriteLine($"{total / calls} bytes allocated per call; sampled by type:");
        Console.WriteLine("| type | bytes/call |");
        Console.WriteLine("|---|---|");
        foreach (var (type, bytes) in sampler.ByType().Take(30))
        {
            Console.WriteLine($"| {type} | {bytes / calls} |");
        }

        await bench.CleanupAsync();
    }

    public static async Task PrintStagesAsync(int calls)
    {
        var bench = new CallSipBenchmarks();
        await bench.SetupAsync();
        for (var i = 0; i < 2000; i++)
        {
            bench._call.OneCall();
        }

        var names = new List<string>();
        var bytes = new List<long>();
        var ticks = new List<long>();
        var step = 0;
        var lastBytes = 0L;
        var lastTicks = 0L;
        bench._call.Step = name =>
        {
            var b = GC.GetAllocatedBytesForCurrentThread();
            var t = System.Diagnostics.Stopwatch.GetTimestamp();
            if (step == names.Count)
            {
                names.Add(name);
                bytes.Add(0);
                ticks.Add(0);
            }

            bytes[step] += b - lastBytes;
            ticks[step] += t - lastTicks;
            step++;
            lastBytes = GC.GetAllocatedBytesForCurrentThread();
            lastTicks = System.Diagnostics.Stopwatch.GetTimestamp();
        };
        for (var i = 0; i < calls; i++)
        {
            step = 0;
            lastBytes = GC.GetAllocatedBytesForCurrentThread();
            lastTicks = System.Diagnostics.Stopwatch.GetTimestamp();
            bench._call.OneCall();
        }

        Console.WriteLine($"| step | bytes/call | us/call |");
        Console.WriteLine("|---|---|---|");
        for (var i = 0; i < names.Count; i++)
        {
            Console.WriteLine(FormattableString.Invariant($"| {names[i]} | {bytes[i] / calls} | {ticks[i] * 1e6 / System.Diagnostics.Stopwatch.Frequency / calls:F1} |"));
        }

        Console.WriteLine(FormattableString.Invariant($"| total | {bytes.Sum() / calls} | {ticks.Sum() * 1e6 / System.Diagnostics.Stopwatch.Frequency / calls:F1} |"));
        await bench.CleanupAsync();
    }
}
