namespace Switchboard.Pbx.Policy;

/// <summary>Denied calls by reason, for /metrics. Incremented from any call's owner, so atomically.</summary>
public sealed class PolicyCounters
{
    private readonly long[] _denied = new long[Enum.GetValues<PolicyDenial>().Length];

    public long Denied(PolicyDenial reason) => Interlocked.Read(ref _denied[(int)reason]);

    public long TotalDenied => Enum.GetValues<PolicyDenial>().Sum(Denied);

    internal void Count(PolicyDenial reason) => Interlocked.Increment(ref _denied[(int)reason]);
}
