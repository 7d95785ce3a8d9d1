using System.Collections.Concurrent;

namespace Switchboard.Pbx.Directory;

/// <summary>
/// The directory as the call path reads it: domains, extensions and SIP passwords from memory, the store behind it read
/// only on a miss. Changes made through this instance drop the cache at once; changes made by another process are seen
/// through <see cref="IDirectoryVersion"/>, read at most once per <see cref="DirectoryCacheOptions.VersionCheckInterval"/>.
/// Unknown names are remembered briefly too. Web passwords and lists are never cached.
/// A hit completes at once on the caller's thread; whatever reads the store runs on the thread pool, so the SIP loop
/// and the calls' shards may read the directory directly without ever running SQLite themselves.
/// </summary>
/// <remarks>
/// Every entry carries the epoch it was read in, and a drop starts a new epoch: an entry read before a change but
/// stored after it is never served, without a lock between readers and writers.
/// </remarks>
public sealed class CachedDirectoryStore : IDirectoryStore
{
    private readonly IDirectoryStore _inner;
    private readonly IDirectoryVersion _version;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly long _checkTicks;
    private readonly long _negativeTicks;
    private readonly long _secretTicks;
    private readonly ConcurrentDictionary<string, Entry<Domain>> _domains = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Domain, string Number), Entry<Extension>> _byNumber = new();
    private readonly ConcurrentDictionary<long, Entry<Extension>> _byId = new();
    private readonly ConcurrentDictionary<long, Entry<string>> _sipPasswords = new();
    private readonly Diagnostics.PbxHistograms? _histograms;
    private long _epoch;
    private long _knownVersion;
    private long _nextCheck;
    private int _checking;
    private long _hits;
    private long _misses;

    /// <param name="histograms">Where the store reads' durations go (<c>store="directory"</c>); null records none.</param>
    public CachedDirectoryStore(IDirectoryStore inner, IDirectoryVersion version, DirectoryCacheOptions options, TimeProvider time,
        Diagnostics.PbxHistograms? histograms = null)
    {
        _histograms = histograms;
        ArgumentNullException.ThrowIfNull(options);
        _inner = inner;
        _version = version;
        _time = time;
        _capacity = options.Capacity;
        _checkTicks = Ticks(options.VersionCheckInterval);
        _negativeTicks = Ticks(options.NegativeLifetime);
        _secretTicks = Ticks(options.SecretLifetime);
        _nextCheck = time.GetTimestamp();
    }

    /// <summary>Look-ups answered from memory, for tests and metrics.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Look-ups that went to the store.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    public Task<Domain?> FindDomainAsync(string name, CancellationToken ct = default) =>
        LookupAsync(_domains, name, long.MaxValue, "find_domain", (inner, key, ct) => inner.FindDomainAsync(key, ct), ct);

    public Task<Extension?> FindExtensionAsync(string domain, string number, CancellationToken ct = default) =>
        LookupAsync(_byNumber, (domain, number), long.MaxValue, "find_extension", (inner, key, ct) => inner.FindExtensionAsync(key.Item1, key.Item2, ct), ct);

    public Task<Extension?> GetExtensionAsync(long id, CancellationToken ct = default) =>
        LookupAsync(_byId, id, long.MaxValue, "get_extension", (inner, key, ct) => inner.GetExtensionAsync(key, ct), ct);

    public Task<string?> GetSipPasswordAsync(long extensionId, CancellationToken ct = default) =>
        LookupAsync(_sipPasswords, extensionId, _secretTicks, "sip_password", (inner, key, ct) => inner.GetSipPasswordAsync(key, ct), ct);

    /// <summary>Not cached: logins are rare and rate-limited, and the web password need not stay in memory.</summary>
    public Task<string?> GetWebPasswordAsync(long extensionId, CancellationToken ct = default) => _inner.GetWebPasswordAsync(extensionId, ct);

    public Task<IReadOnlyList<Domain>> ListDomainsAsync(CancellationToken ct = default) => _inner.ListDomainsAsync(ct);

    public Task<IReadOnlyList<Extension>> ListExtensionsAsync(string? domain, CancellationToken ct = default) => _inner.ListExtensionsAsync(domain, ct);

    public Task<Domain> CreateDomainAsync(string name, CancellationToken ct = default) => ChangeAsync(_inner.CreateDomainAsync(name, ct));

    public Task<Extension> CreateExtensionAsync(NewExtension extension, CancellationToken ct = default) => ChangeAsync(_inner.CreateExtensionAsync(extension, ct));

    public Task<bool> SetWebPasswordAsync(string domain, string number, string password, CancellationToken ct = default) =>
        ChangeAsync(_inner.SetWebPasswordAsync(domain, number, password, ct));

    public Task<bool> SetSipPasswordAsync(string domain, string number, string password, CancellationToken ct = default) =>
        ChangeAsync(_inner.SetSipPasswordAsync(domain, number, password, ct));

    public Task<bool> SetRoleAsync(string domain, string number, ExtensionRole role, CancellationToken ct = default) =>
        ChangeAsync(_inner.SetRoleAsync(domain, number, role, ct));

    public Task<bool> RenameExtensionAsync(string domain, string number, string displayName, CancellationToken ct = default) =>
        ChangeAsync(_inner.RenameExtensionAsync(domain, number, displayName, ct));

    public Task<bool> DeleteExtensionAsync(string domain, string number, CancellationToken ct = default) =>
        ChangeAsync(_inner.DeleteExtensionAsync(domain, number, ct));

    /// <summary>Forgets everything: what is read from now on comes from the store.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _epoch);
        _domains.Clear();
        _byNumber.Clear();
        _byId.Clear();
        _sipPasswords.Clear();
    }

    private async Task<T> ChangeAsync<T>(Task<T> change)
    {
        try
        {
            return await change;
        }
        finally
        {
            // Also after a failure: the store may have changed before it threw.
            Invalidate();
        }
    }

    /// <param name="lifetime">How long a found value stays, in timestamp ticks; misses stay <see cref="DirectoryCacheOptions.NegativeLifetime"/>.</param>
    private async Task<T?> LookupAsync<TKey, T>(ConcurrentDictionary<TKey, Entry<T>> map, TKey key, long lifetime, string operation,
        Func<IDirectoryStore, TKey, CancellationToken, Task<T?>> load, CancellationToken ct)
        where TKey : notnull
        where T : class
    {
        await CheckVersionIfDueAsync(ct);
        var epoch = Interlocked.Read(ref _epoch);
        var now = _time.GetTimestamp();
        if (map.TryGetValue(key, out var entry) && entry.Epoch == epoch && now < entry.ExpiresAt)
        {
            Interlocked.Increment(ref _hits);
            return entry.Value;
        }

        Interlocked.Increment(ref _misses);

        // The store behind may block (Microsoft.Data.Sqlite's async methods run synchronously): a miss goes to the
        // thread pool, so a protocol loop that reads the directory waits for it without stalling. A hit never leaves.
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        var started = _time.GetTimestamp();
        var value = await load(_inner, key, ct).ConfigureAwait(false);
        _histograms?.RecordStore("directory", operation, _time.GetElapsedTime(started));
        if (map.Count >= _capacity)
        {
            map.Clear();
        }

        var life = value is null ? _negativeTicks : lifetime;
        map[key] = new Entry<T>(value, epoch, life == long.MaxValue ? long.MaxValue : now + life);
        return value;
    }

    /// <summary>
    /// Reads the store's change counter when the interval has passed, one caller at a time; the others meanwhile go on
    /// with the cache, so a change by another process shows within the interval plus one counter read.
    /// </summary>
    private async ValueTask CheckVersionIfDueAsync(CancellationToken ct)
    {
        var now = _time.GetTimestamp();
        if (now < Interlocked.Read(ref _nextCheck) || Interlocked.CompareExchange(ref _checking, 1, 0) != 0)
        {
            return;
        }

        try
        {
            await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding); // a store read: off the caller's loop
            var started = _time.GetTimestamp();
            var version = await _version.ReadVersionAsync(ct).ConfigureAwait(false);
            _histograms?.RecordStore("directory", "read_version", _time.GetElapsedTime(started));
            if (version != Interlocked.Exchange(ref _knownVersion, version))
            {
                Invalidate();
            }

            Interlocked.Exchange(ref _nextCheck, now + _checkTicks);
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <param name="ExpiresAt">A timestamp of <see cref="_time"/>; <see cref="long.MaxValue"/> for "until a change".</param>
    private readonly record struct Entry<T>(T? Value, long Epoch, long ExpiresAt)
        where T : class;
}
