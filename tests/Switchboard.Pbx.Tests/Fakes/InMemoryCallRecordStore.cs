using System.Collections.Concurrent;
using Switchboard.Pbx.Calls;

namespace Switchboard.Pbx.Tests.Fakes;

internal sealed class InMemoryCallRecordStore : ICallRecordStore
{
    private readonly ConcurrentQueue<CallRecord> _records = new();
    private readonly ConcurrentQueue<CallRecord> _markers = new();

    /// <summary>Every live marker the calls made, in order: each the record its call would have got had the process died then.</summary>
    public IReadOnlyList<CallRecord> Markers => [.. _markers];

    public void MarkLive(CallRecord interruptedNow) => _markers.Enqueue(interruptedNow);

    public Task AddAsync(CallRecord record, CancellationToken ct = default)
    {
        _records.Enqueue(record);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CallRecord>> ListAsync(int limit, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<CallRecord>>(_records.Reverse().Take(limit).ToArray());

    /// <summary>Only the domain filter and the limit: the SQLite store's tests cover the rest.</summary>
    public Task<IReadOnlyList<CallRecord>> QueryAsync(CallRecordQuery query, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<CallRecord>>(_records.Reverse().Where(r => query.Domain is null || r.Domain == query.Domain).Take(query.EffectiveLimit).ToArray());

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct = default) =>
        throw new NotSupportedException("The in-memory store keeps every record.");

    public async Task<CallRecord> WaitForAsync(Func<CallRecord, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_records.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(20, cts.Token);
        }
    }
}
