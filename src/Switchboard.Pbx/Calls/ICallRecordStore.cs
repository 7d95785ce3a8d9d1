namespace Switchboard.Pbx.Calls;

public interface ICallRecordStore
{
    Task AddAsync(CallRecord record, CancellationToken ct = default);

    /// <summary>The newest records first.</summary>
    Task<IReadOnlyList<CallRecord>> ListAsync(int limit, CancellationToken ct = default);

    /// <summary>The records that match <paramref name="query"/>, newest first, at most its effective limit.</summary>
    Task<IReadOnlyList<CallRecord>> QueryAsync(CallRecordQuery query, CancellationToken ct = default);

    /// <summary>Deletes the records of calls started before <paramref name="cutoff"/> (retention).</summary>
    /// <returns>How many were deleted.</returns>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct = default);
}
