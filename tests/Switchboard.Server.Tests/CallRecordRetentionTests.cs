using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Calls;
using Switchboard.Server.Hosting;

namespace Switchboard.Server.Tests;

public sealed class CallRecordRetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Remembers each purge's cutoff; the rest of the store is not needed here.</summary>
    private sealed class PurgeRecorder : ICallRecordStore
    {
        public System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset> Cutoffs { get; } = new();

        public Task AddAsync(CallRecord record, CancellationToken ct = default) => Task.CompletedTask;

        public Task<IReadOnlyList<CallRecord>> ListAsync(int limit, CancellationToken ct = default) => Task.FromResult<IReadOnlyList<CallRecord>>([]);

        public Task<IReadOnlyList<CallRecord>> QueryAsync(CallRecordQuery query, CancellationToken ct = default) => Task.FromResult<IReadOnlyList<CallRecord>>([]);

        public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct = default)
        {
            Cutoffs.Enqueue(cutoff);
            return Task.FromResult(1);
        }
    }

    [Fact]
    public async Task Purges_at_start_and_then_every_hour_with_the_cutoff_one_retention_ago()
    {
        var time = new FakeTimeProvider(Now);
        var store = new PurgeRecorder();
        await using var retention = new CallRecordRetention(store, TimeSpan.FromDays(365), time, NullLogger<CallRecordRetention>.Instance);

        await retention.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal([Now.AddDays(-365)], store.Cutoffs);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([Now.AddDays(-365), Now.AddHours(1).AddDays(-365)], store.Cutoffs);

        await retention.StopAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(2, store.Cutoffs.Count);
    }

    [Fact]
    public async Task Zero_retention_keeps_every_record()
    {
        var time = new FakeTimeProvider(Now);
        var store = new PurgeRecorder();
        await using var retention = new CallRecordRetention(store, TimeSpan.Zero, time, NullLogger<CallRecordRetention>.Instance);

        await retention.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromDays(3));
        Assert.Empty(store.Cutoffs);
    }
}
