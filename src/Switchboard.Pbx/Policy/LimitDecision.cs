namespace Switchboard.Pbx.Policy;

/// <summary>Either a lease for a call that may start, or why it may not.</summary>
public readonly record struct LimitDecision(CallLease? Lease, PolicyDenial? Denial)
{
    public bool Allowed => Lease is not null;
}

/// <summary>A trunk call counted as up; disposing it (once, at call end) frees its place.</summary>
public sealed class CallLease : IDisposable
{
    private readonly CallLimiter _limiter;
    private readonly string _account;
    private readonly string _domain;
    private readonly Action? _releaseShared;
    private int _released;

    internal CallLease(CallLimiter limiter, string account, string domain, Action? releaseShared = null)
    {
        _limiter = limiter;
        _account = account;
        _domain = domain;
        _releaseShared = releaseShared;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _limiter.Release(_account, _domain);
            _releaseShared?.Invoke();
        }
    }
}
