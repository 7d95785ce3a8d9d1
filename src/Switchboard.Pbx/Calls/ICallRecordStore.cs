namespace Switchboard.Pbx.Calls;

public interface ICallRecordStore
{
    /// <summary>
    /// Saves <paramref name="record"/>; the task ends when it is durable. Never blocks its caller (a call's shard calls
    /// it directly): implementations queue the record or do their I/O on the thread pool.
    /// </summary>
    Task AddAsync(CallRecord record, CancellationToken ct = default);

    /// <summary>
    /// Notes durably, soon, that a call is up (or changed: answered, transferred), so a crash still leaves its record at
    /// the next start; the call's record, once added, removes the marker. <paramref name="interruptedNow"/> is the record
    /// the call would get if the process died now: reason <c>interrupted</c>, ended by <c>pbx</c>, ending now. Never
    /// blocks and never throws: a call's shard calls it, and a marker that cannot be written only costs that record
    /// after a crash. Stores that keep nothing across a crash (memory, tests) need not implement it.
    /// </summary>
    void MarkLive(CallRecord interruptedNow)
    {
    }

    /// <summary>The newest records first.</summary>
    Task<IReadOnlyList<CallRecord>> ListAsync(int limit, CancellationToken ct = default);

    /// <summary>The records that match <paramref name="query"/>, newest first, at most its effective limit.</summary>
    Task<IReadOnlyList<CallRecord>> QueryAsync(CallRecordQuery query, CancellationToken ct = default);

    /// <summary>Deletes the records of calls started before <paramref name="cutoff"/> (retention).</summary>
    /// <returns>How many were deleted.</returns>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct = default);
}
