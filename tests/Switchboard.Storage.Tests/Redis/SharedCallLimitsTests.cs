using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;
using Switchboard.Storage.Redis;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Redis;

/// <summary>
/// The toll-fraud counters shared through a real Redis (docs/scale-out.md, "Redis"): each "node" is its own
/// <see cref="CallLimiter"/> over its own connection.
/// </summary>
public sealed class SharedCallLimitsTests : IAsyncLifetime
{
    private static readonly Extension Caller = new(1, "example.com", "100", "Alice", DateTimeOffset.UnixEpoch);
    private static readonly CallLimits NoDomainLimit = CallLimits.None;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly RedisNodes _nodes = new("limits");
    private readonly List<RedisCallLimits> _shared = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _shared.ForEach(s => s.Dispose());
        await _nodes.CloseAsync();
    }

    [Fact]
    public async Task A_concurrent_limit_of_one_holds_when_two_nodes_race_for_it()
    {
        CallLimiter[] nodes = [(await NodeAsync()).Limiter, (await NodeAsync()).Limiter];
        var one = new CallLimits(1, null);

        for (var round = 0; round < 10; round++)
        {
            var decisions = await Task.WhenAll(nodes.Select(n => n.TryAcquireAsync(Caller, one, NoDomainLimit)));
            var winner = Array.FindIndex(decisions, d => d.Allowed);
            Assert.True(winner >= 0, "one of the two must win");
            Assert.Equal(PolicyDenial.ExtensionConcurrent, decisions[1 - winner].Denial);
            Assert.Equal(PolicyDenial.ExtensionConcurrent, await nodes[1 - winner].CheckAsync(Caller, one, NoDomainLimit));

            // The release is sent without waiting, on the winner's connection: its next request comes after it.
            decisions[winner].Lease!.Dispose();
            Assert.Null(await nodes[winner].CheckAsync(Caller, one, NoDomainLimit));
        }
    }

    [Fact]
    public async Task The_domain_limit_counts_every_extension_of_the_domain_on_every_node()
    {
        var (a, _) = await NodeAsync();
        var (b, _) = await NodeAsync();
        var bob = Caller with { Id = 2, Number = "101" };
        var domainOfTwo = new CallLimits(2, null);

        Assert.True((await a.TryAcquireAsync(Caller, CallLimits.None, domainOfTwo)).Allowed);
        Assert.True((await b.TryAcquireAsync(bob, CallLimits.None, domainOfTwo)).Allowed);
        Assert.Equal(PolicyDenial.DomainConcurrent, (await b.TryAcquireAsync(bob with { Number = "102" }, CallLimits.None, domainOfTwo)).Denial);

        // Emergency is counted but never refused (the same rule as one node's).
        Assert.True((await b.TryAcquireAsync(bob, CallLimits.None, domainOfTwo, exempt: true)).Allowed);
    }

    [Fact]
    public async Task The_per_minute_limit_holds_across_nodes_and_slides_with_the_clock()
    {
        var (a, _) = await NodeAsync();
        var (b, _) = await NodeAsync();
        var twoPerMinute = new CallLimits(null, 2);

        (await a.TryAcquireAsync(Caller, twoPerMinute, NoDomainLimit)).Lease!.Dispose();
        _time.Advance(TimeSpan.FromSeconds(30));
        (await b.TryAcquireAsync(Caller, twoPerMinute, NoDomainLimit)).Lease!.Dispose();
        Assert.Equal(PolicyDenial.ExtensionPerMinute, (await a.TryAcquireAsync(Caller, twoPerMinute, NoDomainLimit)).Denial);

        // A minute after the first start it leaves the window: one place again, and only one.
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.True((await b.TryAcquireAsync(Caller, twoPerMinute, NoDomainLimit)).Allowed);
        Assert.Equal(PolicyDenial.ExtensionPerMinute, (await a.TryAcquireAsync(Caller, twoPerMinute, NoDomainLimit)).Denial);
    }

    [Fact]
    public async Task A_dead_nodes_calls_free_their_places_once_their_leases_lapse_while_a_live_node_keeps_its_own()
    {
        var (dead, deadShared) = await NodeAsync();
        var (live, liveShared) = await NodeAsync();
        var (other, _) = await NodeAsync();
        var one = new CallLimits(1, null);
        var bob = Caller with { Id = 2, Number = "101" };

        Assert.True((await dead.TryAcquireAsync(Caller, one, NoDomainLimit)).Allowed); // never released: its node "died"
        Assert.True((await live.TryAcquireAsync(bob, one, NoDomainLimit)).Allowed);
        Assert.Equal(1, liveShared.Held);
        deadShared.Dispose(); // the node dies: nothing renews its lease any more

        _time.Advance(TimeSpan.FromSeconds(60));
        await liveShared.RenewAsync();
        _time.Advance(RedisCallLimits.LeaseLifetime - TimeSpan.FromSeconds(30));

        Assert.True((await other.TryAcquireAsync(Caller, one, NoDomainLimit)).Allowed);
        Assert.Equal(PolicyDenial.ExtensionConcurrent, (await other.TryAcquireAsync(bob, one, NoDomainLimit)).Denial);
    }

    [Fact]
    public async Task Without_redis_the_node_falls_back_to_its_own_counts()
    {
        var (a, _) = await NodeAsync();
        var one = new CallLimits(1, null);
        var held = await a.TryAcquireAsync(Caller, one, NoDomainLimit);
        Assert.True(held.Allowed);
        await _nodes.Connections[0].DisposeAsync(); // the connection is gone: every shared call now fails

        Assert.Equal(PolicyDenial.ExtensionConcurrent, (await a.TryAcquireAsync(Caller, one, NoDomainLimit)).Denial);
        held.Lease!.Dispose();
        Assert.True((await a.TryAcquireAsync(Caller, one, NoDomainLimit)).Allowed);
    }

    private async Task<(CallLimiter Limiter, RedisCallLimits Shared)> NodeAsync()
    {
        var connection = await _nodes.ConnectAsync();
        var shared = new RedisCallLimits(connection, _time, NullLogger<RedisCallLimits>.Instance);
        _shared.Add(shared);
        return (new CallLimiter(_time, new PolicyCounters(), shared), shared);
    }
}
