namespace Switchboard.Storage;

/// <summary>How <see cref="BatchedCallRecordStore"/> groups call records into transactions (docs/call-records.md, "Durability").</summary>
public sealed record CallRecordBatching
{
    /// <summary>
    /// How long the writer collects records after the first one of a batch arrives before it commits them in one
    /// transaction. Zero commits at once whatever has queued. A <c>kill -9</c> loses at most this much of records.
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A batch commits early once this many records wait, so one transaction stays short.</summary>
    public int MaxBatch { get; init; } = 512;

    /// <summary>Records that may wait for the writer; beyond it <c>AddAsync</c> waits for room rather than drop one.</summary>
    public int Capacity { get; init; } = 8192;

    /// <summary>
    /// How often the idle writer touches the heartbeat row (every commit touches it too). A call interrupted by a crash is
    /// recorded as ending at the last heartbeat, so its recorded end is at most this (plus a commit) before the real one.
    /// </summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// On a database several nodes share, a node whose heartbeat is older than this is taken as dead, and the others
    /// record its live calls as interrupted (docs/scale-out.md, "When a node dies"). Three beats: a node that misses one
    /// under load is not dead. Every node must run the same <see cref="Heartbeat"/>.
    /// </summary>
    public TimeSpan DeadNodeAfter => Heartbeat * 3;
}
