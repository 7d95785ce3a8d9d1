namespace Switchboard.Pbx.Queues;

/// <summary>What <see cref="QueueCore"/> decided for one waiting call; the queue loop hands it to that call.</summary>
public abstract record QueueAction(string CallId)
{
    /// <summary>Ring these agents (extension numbers of the queue's domain) for the caller, for at most <paramref name="RingTimeout"/>.</summary>
    public sealed record Offer(string CallId, IReadOnlyList<string> Agents, TimeSpan RingTimeout) : QueueAction(CallId);

    /// <summary>The caller's place in its queue changed (1 is next): the popup shows it.</summary>
    public sealed record Position(string CallId, int Place) : QueueAction(CallId);

    /// <summary>Say the caller's place and the expected wait, in the queue's language, then go back to the hold music.</summary>
    public sealed record Announce(string CallId, int Place, TimeSpan ExpectedWait, string Language) : QueueAction(CallId);

    /// <summary>The caller waited its queue's maximum: it leaves for <paramref name="Destination"/> (null: hang up as unavailable).</summary>
    public sealed record Fallback(string CallId, string? Destination) : QueueAction(CallId);
}
