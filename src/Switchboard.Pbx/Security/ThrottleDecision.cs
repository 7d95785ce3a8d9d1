namespace Switchboard.Pbx.Security;

/// <summary>Whether an authentication attempt may proceed, and if not, for how long it is refused.</summary>
public readonly record struct ThrottleDecision(bool Allowed, TimeSpan RetryAfter)
{
    public static ThrottleDecision Allow { get; } = new(true, TimeSpan.Zero);

    public static ThrottleDecision LockedOut(TimeSpan retryAfter) => new(false, retryAfter);
}
