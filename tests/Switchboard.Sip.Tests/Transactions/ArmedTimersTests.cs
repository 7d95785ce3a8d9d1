using Switchboard.Sip.Transactions;

namespace Switchboard.Sip.Tests.Transactions;

/// <summary>The inline timer slots of a transaction: what the dictionary they replace did, and no more than three at once.</summary>
public sealed class ArmedTimersTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 8, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Timers_are_set_replaced_removed_and_found_due_earliest_first()
    {
        var armed = new ArmedTimers();
        Assert.Null(armed.Earliest);

        armed.Set(SipTimer.A, T0.AddMilliseconds(500));
        armed.Set(SipTimer.B, T0.AddSeconds(32));
        Assert.Equal(T0.AddMilliseconds(500), armed.Earliest);

        // Timer A doubles (RFC 3261 section 17.1.1.2): set again, it replaces its own slot.
        armed.Set(SipTimer.A, T0.AddSeconds(1.5));
        Assert.False(armed.TryGetDue(T0.AddSeconds(1), out _, out _));
        Assert.True(armed.TryGetDue(T0.AddSeconds(40), out var first, out var at));
        Assert.Equal((SipTimer.A, T0.AddSeconds(1.5)), (first, at));

        Assert.True(armed.Remove(SipTimer.A));
        Assert.False(armed.Remove(SipTimer.A));
        Assert.True(armed.TryGetDue(T0.AddSeconds(40), out first, out _));
        Assert.Equal(SipTimer.B, first);

        armed.Clear();
        Assert.Null(armed.Earliest);
        Assert.False(armed.Remove(SipTimer.B));
    }

    [Fact]
    public void A_fourth_timer_at_once_is_a_bug_and_says_so()
    {
        var armed = new ArmedTimers();
        armed.Set(SipTimer.G, T0);
        armed.Set(SipTimer.H, T0);
        armed.Set(SipTimer.I, T0);
        Assert.Throws<InvalidOperationException>(() => armed.Set(SipTimer.L, T0));
    }
}
