namespace Switchboard.MediaLoad.Pump;

/// <summary>
/// Counters of one pump thread, per direction (0: caller to callee, 1: callee to caller). Only the pump's thread
/// writes them; the run reads them after sending has stopped and a grace period has passed.
/// </summary>
internal sealed class PumpStats
{
    public const int Directions = 2;

    /// <summary>Packets sent inside the measured window (flagged in their payload).</summary>
    public long[] SentMeasured { get; } = new long[Directions];

    /// <summary>Flagged packets received, whenever they arrive.</summary>
    public long[] ReceivedMeasured { get; } = new long[Directions];

    public DelayHistogram[] Delay { get; } = [new(), new()];

    /// <summary>send() failures (EAGAIN and the like): the generator's own losses, reported apart.</summary>
    public long SendErrors { get; set; }

    /// <summary>Datagrams received that were neither our RTP nor expected control traffic.</summary>
    public long Unexpected { get; set; }

    /// <summary>Timer-wheel ticks that ran more than 5 ms late: the generator itself fell behind.</summary>
    public long LateTicks { get; set; }

    /// <summary>One-millisecond wheel slots skipped because the pump was starved (each a 1/20 of a packet per stream).</summary>
    public long SkippedSlots { get; set; }
}
