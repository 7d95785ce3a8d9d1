namespace Switchboard.Pbx.Policy;

/// <summary>Toll-fraud limits for one extension or one domain; null means no limit (issue 5, part 3).</summary>
/// <param name="Concurrent">Calls through a trunk at the same time.</param>
/// <param name="PerMinute">Calls through a trunk started in any 60-second window.</param>
public sealed record CallLimits(int? Concurrent, int? PerMinute)
{
    public static CallLimits None { get; } = new(null, null);

    /// <summary>An extension's limits until set: a few at a time, enough for a person, too few for a fraud run.</summary>
    public static CallLimits ExtensionDefault { get; } = new(2, 10);
}
