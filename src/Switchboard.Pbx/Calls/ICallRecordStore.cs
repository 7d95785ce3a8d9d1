namespace Switchboard.Pbx.Calls;

public interface ICallRecordStore
{
    /// <summary>
    /// Saves <paramref name="record"/>; the task ends when it is durable. Never blocks its caller (a call's shard calls
    /// it directly): implementations queue the record or do their I/O on the thread pool.
    /// </summary>
    Task AddAsync(CallRecord record, CancellationToken ct = default);

    /// <summary>The newest records first.</summary>
    Task<IReadOnlyList<CallRecord>> ListAsync(int limit, CancellationToken ct = default);

    /// <summary>The records that match <paramref name="query"/>, newest first, at most its effective limit.</summary>
    Task<IReadOnlyList<CallRecord>> QueryAsync(CallRecordQuery query, CancellationToken ct = default);

    /// <summary>Deletes the records of calls started before <paramref name="cutoff"/> (retention).</summary>
    /// <returns>How many were deleted.</returns>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct = default);
}
