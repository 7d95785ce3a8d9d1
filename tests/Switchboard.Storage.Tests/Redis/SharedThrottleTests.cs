using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Security;
using Switchboard.Storage.Redis;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Redis;

/// <summary>
/// The login throttle shared through a real Redis (docs/scale-out.md, "Redis"): each "node" is its own
/// <see cref="LoginThrottle"/> with its own connection, as two PBX processes would be.
/// </summary>
public sealed class SharedThrottleTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly SecurityOptions _options = new();
    private readonly RedisNodes _nodes = new("throttle");
    private readonly List<LoginThrottle> _throttles = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _throttles.ForEach(t => t.Dispose());
        await _nodes.CloseAsync();
    }

    [Fact]
    public async Task Five_wrong_passwords_spread_over_two_nodes_lock_the_account_on_both()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();

        for (var i = 0; i < 4; i++)
        {
            var decision = await (i % 2 == 0 ? a : b).RecordFailureAsync("100@example.com", $"192.0.2.{i + 1}");
            Assert.True(decision.Allowed, $"failure {i + 1} must not lock yet");
        }

        // No node saw more than two; the fifth, on the second node, reaches the cluster's limit of five.
        var fifth = await b.RecordFailureAsync("100@example.com", "192.0.2.9");
        Assert.False(fifth.Allowed);
        Assert.InRange(fifth.RetryAfter, _options.LockoutDuration - TimeSpan.FromSeconds(1), _options.LockoutDuration);

        Assert.False((await a.CheckAsync("100@example.com", "198.51.100.1")).Allowed);
        Assert.False((await b.CheckAsync("100@EXAMPLE.com", "198.51.100.1")).Allowed);
        Assert.True((await a.CheckAsync("101@example.com", "198.51.100.1")).Allowed);

        // The SIP loop asks without I/O: the lockout reached the other node's own table through the announcement.
        await UntilAsync(() => !a.Check("100@example.com", "198.51.100.1").Allowed);
    }

    [Fact]
    public async Task Failures_counted_by_the_sip_path_lock_every_node_through_the_announcement()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var c = await NodeAsync();

        for (var i = 0; i < 5; i++)
        {
            // The synchronous path hands each count over without waiting (the SIP loop must not block on Redis).
            Assert.True((i % 2 == 0 ? a : b).RecordFailure("200@example.com", "192.0.2.50").Allowed);
        }

        await UntilAsync(() => !a.Check("200@example.com", "203.0.113.1").Allowed &&
                               !b.Check("200@example.com", "203.0.113.1").Allowed &&
                               !c.Check("200@example.com", "203.0.113.1").Allowed);
    }

    [Fact]
    public async Task A_success_on_one_node_clears_the_failures_counted_by_all()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        for (var i = 0; i < 4; i++)
        {
            await a.RecordFailureAsync("300@example.com", $"192.0.2.{i + 1}");
        }

        // The clearing is sent without waiting, but on b's one connection, so it reaches Redis before b's next counts.
        // Four more after it: had the first four survived, the first of these would have locked the account.
        b.RecordSuccess("300@example.com");
        for (var i = 0; i < 4; i++)
        {
            Assert.True((await b.RecordFailureAsync("300@example.com", $"192.0.2.{i + 10}")).Allowed, $"failure {i + 1} after the success");
        }
    }

    [Fact]
    public async Task A_node_that_starts_later_loads_the_lockouts_in_force()
    {
        var a = await NodeAsync();
        for (var i = 0; i < 5; i++)
        {
            await a.RecordFailureAsync("400@example.com", "192.0.2.77");
        }

        var connection = await _nodes.ConnectAsync();
        var active = await new RedisThrottle(connection, NullLogger<RedisThrottle>.Instance).LoadActiveAsync(_time.GetUtcNow());
        var lockout = Assert.Single(active, l => l.Key == "a:400@example.com");
        Assert.Equal(_time.GetUtcNow() + _options.LockoutDuration, lockout.Until, TimeSpan.FromMilliseconds(1));

        _time.Advance(_options.LockoutDuration + TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(await new RedisThrottle(connection, NullLogger<RedisThrottle>.Instance).LoadActiveAsync(_time.GetUtcNow()),
            l => l.Key == "a:400@example.com");
    }

    [Theory]
    [InlineData("1700000000000|a:100@example.com", "a:100@example.com")]
    [InlineData("1700000000000|ip:2001:db8::1", "ip:2001:db8::1")]
    [InlineData("1700000000000|a:odd|name", "a:odd|name")]
    [InlineData("|a:100", null)]
    [InlineData("-5|a:100", null)]
    [InlineData("1700000000000|", null)]
    [InlineData("garbage", null)]
    public void Announcements_are_read_strictly(string message, string? key) =>
        Assert.Equal(key, RedisThrottle.Parse(message)?.Key);

    private async Task<LoginThrottle> NodeAsync()
    {
        var connection = await _nodes.ConnectAsync();
        var throttle = new LoginThrottle(_options, _time, lockouts: null, new RedisThrottle(connection, NullLogger<RedisThrottle>.Instance));
        _throttles.Add(throttle);
        return throttle;
    }

    private static Task UntilAsync(Func<bool> condition) => UntilAsync(() => Task.FromResult(condition()));

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {Bound.TotalSeconds} s");
            await Task.Delay(10);
        }
    }
}
