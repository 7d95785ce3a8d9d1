namespace Switchboard.Pbx.Queues;

/// <summary>Which idle agent a waiting caller is offered to (docs/queues.md, "Strategies").</summary>
public enum QueueStrategy
{
    /// <summary>Every idle agent's phones ring at once; the first to answer takes the caller.</summary>
    RingAll,

    /// <summary>One agent at a time, taking turns in the members' order after the last one offered a caller.</summary>
    RoundRobin,

    /// <summary>One agent at a time: the one idle the longest (since its last queue call ended, or it logged in).</summary>
    LongestIdle,
}

public static class QueueStrategies
{
    public static string ToText(this QueueStrategy strategy) => strategy switch
    {
        QueueStrategy.RingAll => "ring-all",
        QueueStrategy.RoundRobin => "round-robin",
        _ => "longest-idle",
    };

    public static bool TryParse(string? text, out QueueStrategy strategy)
    {
        switch (text)
        {
            case "ring-all":
                strategy = QueueStrategy.RingAll;
                return true;
            case "round-robin":
                strategy = QueueStrategy.RoundRobin;
                return true;
            case "longest-idle":
                strategy = QueueStrategy.LongestIdle;
                return true;
            default:
                strategy = default;
                return false;
        }
    }
}
