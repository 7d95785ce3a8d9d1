using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;

namespace Switchboard.Pbx.Tests.Policy;

public class CallLimiterTests
{
    private static readonly Extension Alice = new(1, "example.com", "100", "Alice", DateTimeOffset.UnixEpoch);
    private static readonly Extension Bob = new(2, "example.com", "101", "Bob", DateTimeOffset.UnixEpoch);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly PolicyCounters _counters = new();
    private readonly CallLimiter _limiter;

    public CallLimiterTests() => _limiter = new CallLimiter(_time, _counters);

    [Fact]
    public void The_concurrent_limit_per_extension_holds_until_a_lease_is_released()
    {
        var limits = new CallLimits(2, null);
        var first = _limiter.TryAcquire(Alice, limits, CallLimits.None);
        var second = _limiter.TryAcquire(Alice, limits, CallLimits.None);
        var third = _limiter.TryAcquire(Alice, limits, CallLimits.None);

        Assert.True(first.Allowed && second.Allowed);
        Assert.Equal(PolicyDenial.ExtensionConcurrent, third.Denial);
        Assert.Equal(PolicyDenial.ExtensionConcurrent, _limiter.Check(Alice, limits, CallLimits.None));
        Assert.True(_limiter.TryAcquire(Bob, limits, CallLimits.None).Allowed);

        first.Lease!.Dispose();
        first.Lease.Dispose();
        Assert.Equal(1, _limiter.Active("100@example.com"));
        Assert.True(_limiter.TryAcquire(Alice, limits, CallLimits.None).Allowed);
        Assert.Equal(1, _counters.Denied(PolicyDenial.ExtensionConcurrent));
    }

    [Fact]
    public void The_concurrent_limit_per_domain_counts_every_extension()
    {
        var domain = new CallLimits(2, null);
        var a = _limiter.TryAcquire(Alice, CallLimits.None, domain);
        var b = _limiter.TryAcquire(Bob, CallLimits.None, domain);

        Assert.Equal(PolicyDenial.DomainConcurrent, _limiter.TryAcquire(Alice, CallLimits.None, domain).Denial);
        Assert.Equal(2, _limiter.Active("example.com"));
        b.Lease!.Dispose();
        Assert.True(_limiter.TryAcquire(Alice, CallLimits.None, domain).Allowed);
        Assert.NotNull(a.Lease);
        Assert.Equal(1, _counters.TotalDenied);
    }

    [Fact]
    public void Calls_per_minute_are_counted_in_a_sliding_window()
    {
        var limits = new CallLimits(null, 3);
        for (var i = 0; i < 3; i++)
        {
            _limiter.TryAcquire(Alice, limits, CallLimits.None).Lease!.Dispose();
            _time.Advance(TimeSpan.FromSeconds(20));
        }

        // The first start was 60 s ago: it has just left the window.
        Assert.True(_limiter.TryAcquire(Alice, limits, CallLimits.None).Allowed);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(PolicyDenial.ExtensionPerMinute, _limiter.TryAcquire(Alice, limits, CallLimits.None).Denial);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(_limiter.TryAcquire(Alice, limits, CallLimits.None).Allowed);
    }

    [Fact]
    public void The_domain_per_minute_limit_counts_every_extension()
    {
        var domain = new CallLimits(null, 2);
        Assert.True(_limiter.TryAcquire(Alice, CallLimits.None, domain).Allowed);
        Assert.True(_limiter.TryAcquire(Bob, CallLimits.None, domain).Allowed);
        Assert.Equal(PolicyDenial.DomainPerMinute, _limiter.TryAcquire(Alice, CallLimits.None, domain).Denial);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(_limiter.TryAcquire(Alice, CallLimits.None, domain).Allowed);
    }

    [Fact]
    public void An_exempt_call_is_never_refused_but_is_counted()
    {
        var limits = new CallLimits(1, 1);
        Assert.True(_limiter.TryAcquire(Alice, limits, limits).Allowed);
        var emergency = _limiter.TryAcquire(Alice, limits, limits, exempt: true);

        Assert.True(emergency.Allowed);
        Assert.Equal(2, _limiter.Active("100@example.com"));
        Assert.Equal(0, _counters.TotalDenied);
    }

    [Fact]
    public async Task Leases_taken_and_released_from_many_threads_leave_nothing_counted()
    {
        var limits = new CallLimits(1000, null);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                _limiter.TryAcquire(i % 2 == 0 ? Alice : Bob, limits, CallLimits.None).Lease!.Dispose();
            }
        })));

        Assert.Equal(0, _limiter.Active("example.com"));
        Assert.Equal(0, _limiter.Active("100@example.com"));
    }

    [Fact]
    public void Restored_starts_spend_the_per_minute_budget_but_no_concurrent_slot()
    {
        var now = _time.GetUtcNow();
        _limiter.RestoreStarts([("100@example.com", "example.com", now.AddSeconds(-10)), ("100@example.com", "example.com", now.AddSeconds(-50))]);
        var limits = new CallLimits(1, 2);

        Assert.Equal(0, _limiter.Active("100@example.com"));
        Assert.Equal(PolicyDenial.ExtensionPerMinute, _limiter.TryAcquire(Alice, limits, CallLimits.None).Denial);
        Assert.True(_limiter.TryAcquire(Bob, limits, CallLimits.None).Allowed);

        // The older start leaves the window 50 s after it was made, 10 s from now.
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(_limiter.TryAcquire(Alice, limits, CallLimits.None).Allowed);
    }
}
