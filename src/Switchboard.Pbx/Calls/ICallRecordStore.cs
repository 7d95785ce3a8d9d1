namespace Switchboard.Pbx.Calls;

public interface ICallRecordStore
{
    Task AddAsync(CallRecord record, CancellationToken ct = default);

    /// <summary>The newest records first.</summary>
    Task<IReadOnlyList<CallRecord>> ListAsync(int limit, CancellationToken ct = default);
}
