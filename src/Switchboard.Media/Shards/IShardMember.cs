using System.Net;

namespace Switchboard.Media.Shards;

/// <summary>
/// Something a shard owns: a media leg on its socket, or any state that runs on timers. Every call comes
/// from the shard's thread, one at a time, so a member needs no lock for its own state.
/// </summary>
public interface IShardMember
{
    /// <summary>One datagram from <paramref name="source"/> on the member's socket, in the shard's buffer (may be changed in place, must not be kept).</summary>
    void OnDatagram(Span<byte> datagram, SocketAddress source, TimeSpan now);

    /// <summary>Runs what is due at <paramref name="now"/> and returns the next deadline (shard clock).</summary>
    TimeSpan Poll(TimeSpan now);
}

/// <summary>A member's place in its shard: its socket, its timer, its generation (so a late event for a freed slot is ignored).</summary>
public sealed class ShardSlot
{
    internal ShardSlot(MediaShard shard, IShardMember member, IMediaSocket? socket, int index)
    {
        Shard = shard;
        Member = member;
        Socket = socket;
        Index = index;
    }

    public MediaShard Shard { get; }

    internal IShardMember Member { get; }

    internal IMediaSocket? Socket { get; }

    internal int Index { get; }

    internal uint Generation { get; set; }

    internal bool Active { get; set; } = true;

    internal bool Dirty { get; set; }

    internal bool InHeap { get; set; }

    internal long HeapDeadline { get; set; }

    internal ulong Token => (ulong)Generation << 32 | (uint)Index;
}
