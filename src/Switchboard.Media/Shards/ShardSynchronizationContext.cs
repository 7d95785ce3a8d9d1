namespace Switchboard.Media.Shards;

/// <summary>
/// Continuations of code started on a shard come back to the shard: a call's own async code (routing,
/// signalling) then runs on the same thread as its media legs, and touches them without a hop or a lock.
/// </summary>
internal sealed class ShardSynchronizationContext(MediaShard shard) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) => shard.Post(() => d(state));

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (shard.IsCurrent)
        {
            d(state);
            return;
        }

        throw new NotSupportedException("Blocking on a media shard is not allowed: post to it.");
    }

    public override SynchronizationContext CreateCopy() => this;
}
