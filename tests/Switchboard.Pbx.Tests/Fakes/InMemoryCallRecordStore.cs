using System.Collections.Concurrent;
using Switchboard.Pbx.Calls;

namespace Switchboard.Pbx.Tests.Fakes;

internal sealed class InMemoryCallRecordStore : ICallRecordStore
{
    private readonly ConcurrentQueue<CallRecord> _records = new();

    public Task AddAsync(CallRecord record, CancellationToken ct = default)
    {
        _records.Enqueue(record);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CallRecord>> ListAsync(int limit, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<CallRecord>>(_records.Reverse().Take(limit).ToArray());

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
