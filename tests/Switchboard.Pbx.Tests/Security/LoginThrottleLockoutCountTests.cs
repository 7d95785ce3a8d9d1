using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Security;

namespace Switchboard.Pbx.Tests.Security;

/// <summary><see cref="LoginThrottle.LockoutsStarted"/>, the metrics' <c>switchboard_auth_lockouts_total</c>.</summary>
public class LoginThrottleLockoutCountTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Each_lockout_started_counts_once_the_account_s_and_the_address_s_apart_refusals_while_locked_not()
    {
        var throttle = new LoginThrottle(new SecurityOptions { AccountFailureLimit = 3, AddressFailureLimit = 4 }, _time);
        throttle.RecordFailure("100@d", "10.0.0.1");
        throttle.RecordFailure("100@d", "10.0.0.1");
        Assert.Equal(0, throttle.LockoutsStarted);

        throttle.RecordFailure("100@d", "10.0.0.1");
        Assert.Equal(1, throttle.LockoutsStarted);

        // The fourth failure from the address locks the address too; the account was locked already.
        throttle.RecordFailure("100@d", "10.0.0.1");
        Assert.Equal(2, throttle.LockoutsStarted);
        Assert.False(throttle.Check("100@d", "10.0.0.1").Allowed);
        Assert.Equal(2, throttle.LockoutsStarted);
    }
}
