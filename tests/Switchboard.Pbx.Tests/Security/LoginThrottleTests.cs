using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Security;

namespace Switchboard.Pbx.Tests.Security;

public class LoginThrottleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly SecurityOptions _options = new()
    {
        AccountFailureLimit = 3,
        AddressFailureLimit = 5,
        FailureWindow = TimeSpan.FromMinutes(10),
        LockoutDuration = TimeSpan.FromMinutes(15),
    };

    private LoginThrottle NewThrottle() => new(_options, _time);

    [Fact]
    public void The_limit_th_failure_locks_the_account_until_the_lockout_expires()
    {
        var throttle = NewThrottle();
        Assert.True(throttle.RecordFailure("100@d", "10.0.0.1").Allowed);
        Assert.True(throttle.RecordFailure("100@d", "10.0.0.2").Allowed);
        var third = throttle.RecordFailure("100@d", "10.0.0.3");

        Assert.False(third.Allowed);
        Assert.Equal(TimeSpan.FromMinutes(15), third.RetryAfter);
        Assert.False(throttle.Check("100@d", "10.0.0.9").Allowed);

        _time.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(TimeSpan.FromMinutes(1), throttle.Check("100@d", "10.0.0.9").RetryAfter);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(throttle.Check("100@d", "10.0.0.9").Allowed);
    }

    [Fact]
    public void Failures_older_than_the_window_do_not_count()
    {
        var throttle = NewThrottle();
        throttle.RecordFailure("100@d", "10.0.0.1");
        throttle.RecordFailure("100@d", "10.0.0.1");
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.True(throttle.RecordFailure("100@d", "10.0.0.1").Allowed);
        Assert.True(throttle.RecordFailure("100@d", "10.0.0.1").Allowed);
        Assert.False(throttle.RecordFailure("100@d", "10.0.0.1").Allowed);
    }

    [Fact]
    public void One_address_guessing_many_accounts_is_locked_by_address()
    {
        var throttle = NewThrottle();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(throttle.RecordFailure($"{i}@d", "10.0.0.7").Allowed);
        }

        Assert.False(throttle.RecordFailure("4@d", "10.0.0.7").Allowed);
        Assert.False(throttle.Check("999@d", "10.0.0.7").Allowed);
        Assert.True(throttle.Check("999@d", "10.0.0.8").Allowed);
    }

    [Fact]
    public void Success_clears_the_account_but_not_the_address()
    {
        var throttle = NewThrottle();
        throttle.RecordFailure("100@d", "10.0.0.1");
        throttle.RecordFailure("100@d", "10.0.0.1");
        throttle.RecordSuccess("100@d");

        Assert.True(throttle.RecordFailure("100@d", "10.0.0.1").Allowed);
        Assert.True(throttle.RecordFailure("100@d", "10.0.0.1").Allowed);
        Assert.False(throttle.RecordFailure("100@d", "10.0.0.1").Allowed); // address: 5th failure
    }

    [Fact]
    public void Account_keys_ignore_case()
    {
        var throttle = NewThrottle();
        throttle.RecordFailure("100@D", "10.0.0.1");
        throttle.RecordFailure("100@d", "10.0.0.2");
        Assert.False(throttle.RecordFailure("100@d", "10.0.0.3").Allowed);
    }

    [Fact]
    public void Many_distinct_keys_are_swept_once_expired()
    {
        var throttle = NewThrottle();
        for (var i = 0; i < 10_050; i++)
        {
            throttle.RecordFailure($"{i}@d", $"a{i}");
        }

        _time.Advance(TimeSpan.FromHours(1));
        throttle.RecordFailure("x@d", "b");
        Assert.True(throttle.Check("0@d", "a0").Allowed);
    }

    [Fact]
    public void A_lockout_is_handed_to_the_store_once_when_it_starts()
    {
        var store = new RecordingLockoutStore();
        var throttle = new LoginThrottle(_options, _time, store);
        throttle.RecordFailure("100@D", "10.0.0.1");
        throttle.RecordFailure("100@D", "10.0.0.1");
        Assert.Empty(store.Saved);

        throttle.RecordFailure("100@D", "10.0.0.1");
        throttle.RecordFailure("100@D", "10.0.0.1");

        Assert.Equal([new LoginLockout("a:100@d", _time.GetUtcNow() + _options.LockoutDuration)], store.Saved);
    }

    [Fact]
    public void Restored_lockouts_refuse_until_they_run_out()
    {
        var throttle = NewThrottle();
        throttle.Restore([new LoginLockout("a:100@d", _time.GetUtcNow().AddMinutes(3)), new LoginLockout("ip:10.0.0.7", _time.GetUtcNow().AddMinutes(1))]);

        Assert.Equal(TimeSpan.FromMinutes(3), throttle.Check("100@D", "10.0.0.1").RetryAfter);
        Assert.Equal(TimeSpan.FromMinutes(1), throttle.Check("200@d", "10.0.0.7").RetryAfter);
        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.True(throttle.Check("100@d", "10.0.0.7").Allowed);
    }

    private sealed class RecordingLockoutStore : ILockoutStore
    {
        public List<LoginLockout> Saved { get; } = [];

        public void Save(LoginLockout lockout) => Saved.Add(lockout);

        public Task<IReadOnlyList<LoginLockout>> LoadActiveAsync(DateTimeOffset now, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<LoginLockout>>(Saved.Where(l => l.Until > now).ToList());
    }
}
