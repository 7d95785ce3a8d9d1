using Switchboard.Pbx.Calls;

namespace Switchboard.Pbx.Policy;

/// <summary>
/// Rebuilds the <see cref="CallLimiter"/>'s per-minute windows at start from the call records: the calls it counts are
/// the ones that went out through a trunk, and their records' routes start with <c>trunk:</c> (a call the limits
/// refused is <c>denied</c>). A call that found no trunk at all also has such a route and is counted too: the error is
/// on the strict side. The window is kept from each call's start, a few milliseconds before the limiter counted it.
/// </summary>
public static class RecentTrunkCalls
{
    /// <returns>How many starts were put back.</returns>
    public static async Task<int> RestoreAsync(CallLimiter limiter, ICallRecordStore records, TimeProvider time, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(time);
        var query = new CallRecordQuery { Since = time.GetUtcNow() - CallLimiter.Window, RoutePrefix = "trunk:", Limit = CallRecordQuery.MaxLimit };
        var starts = new List<(string, string, DateTimeOffset)>();
        while (true)
        {
            var page = await records.QueryAsync(query, ct);
            starts.AddRange(page.Select(r => (r.From, r.Domain, r.StartedAt)));
            if (page.Count < CallRecordQuery.MaxLimit)
            {
                break;
            }

            query = query with { Before = page[^1].StartedAt };
        }

        limiter.RestoreStarts(starts);
        return starts.Count;
    }
}
