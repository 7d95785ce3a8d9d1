using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Cluster;
using Switchboard.Server.Hosting;
using Switchboard.Storage.Redis;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Server.Tests;

/// <summary>
/// A node whose SIP sent-by is a name (docs/scale-out.md, "A node known by a name"): the announcer resolves it off the SIP
/// loop, announces the address in a real Redis (started by the tests on loopback), and follows the name at each refresh.
/// </summary>
public sealed class ClusterNodeAnnouncerTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Localhost_resolved_by_the_system_is_announced_as_the_address_the_sip_socket_is_bound_to()
    {
        await using var redis = await ConnectAsync();
        var nodes = new ClusterNodes();
        await using (var announcer = new ClusterNodeAnnouncer(new RedisClusterNodes(redis, "b"), nodes, new FakeTimeProvider(DateTimeOffset.UtcNow),
            NullLogger<ClusterNodeAnnouncer>.Instance))
        {
            await announcer.StartAsync("localhost:5070", IPAddress.Loopback, CancellationToken.None);

            var own = new IPEndPoint(IPAddress.Loopback, 5070);
            Assert.Equal(own, nodes.Own);
            Assert.Equal("127.0.0.1:5070", nodes.OwnHostPort);
            Assert.Contains(own, await new RedisClusterNodes(redis, "a").ListAsync());
            Assert.True(nodes.IsNode(own));
        }

        // Withdrawn when the node stops.
        Assert.Empty(await new RedisClusterNodes(redis, "a").ListAsync());
    }

    [Fact]
    public async Task A_node_whose_store_does_not_answer_stops_after_the_withdrawal_wait_not_the_stores_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new SilentOnWithdraw();
        var announcer = new ClusterNodeAnnouncer(store, new ClusterNodes(), time, NullLogger<ClusterNodeAnnouncer>.Instance);
        await announcer.StartAsync("127.0.0.1:5070", IPAddress.Loopback, CancellationToken.None);

        var stopping = announcer.DisposeAsync().AsTask();
        await store.Withdrawing.Task.WaitAsync(Step);
        Assert.False(stopping.IsCompleted);
        time.Advance(ClusterNodeAnnouncer.WithdrawWait);
        await stopping.WaitAsync(Step);
    }

    /// <summary>A store that takes the announcement and then never answers the withdrawal (Redis gone at the stop).</summary>
    private sealed class SilentOnWithdraw : IClusterNodeDirectory
    {
        public TaskCompletionSource Withdrawing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task AnnounceAsync(IPEndPoint sip, TimeSpan lifetime, CancellationToken ct = default) => Task.CompletedTask;

        public Task<IReadOnlyList<IPEndPoint>> ListAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<IPEndPoint>>([]);

        public Task WithdrawAsync()
        {
            Withdrawing.TrySetResult();
            return new TaskCompletionSource().Task;
        }
    }

    [Fact]
    public async Task A_name_is_resolved_again_at_every_refresh_and_a_failed_lookup_keeps_the_last_address()
    {
        await using var redis = await ConnectAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var nodes = new ClusterNodes();
        IPAddress[] answer = [IPAddress.IPv6Loopback, IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3")];
        var lookups = 0;
        await using var announcer = new ClusterNodeAnnouncer(new RedisClusterNodes(redis, "b"), nodes, time, NullLogger<ClusterNodeAnnouncer>.Instance)
        {
            Resolve = (name, _) =>
            {
                Assert.Equal("pbx-b.test", name);
                Interlocked.Increment(ref lookups);
                return answer.Length > 0 ? Task.FromResult(answer) : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
            },
        };

        string State() => $"own {nodes.Own}, {Volatile.Read(ref lookups)} lookups";

        // Bound to every IPv4 interface: the name's first IPv4 address.
        await announcer.StartAsync("pbx-b.test:5070", IPAddress.Any, CancellationToken.None);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 5070), nodes.Own);

        // The name moves; the next refresh follows it, in the node list too.
        answer = [IPAddress.Parse("127.0.0.4")];
        var moved = new IPEndPoint(IPAddress.Parse("127.0.0.4"), 5070);
        time.Advance(TimeSpan.FromSeconds(5));
        await WaitForAsync(async () => moved.Equals(nodes.Own) && (await new RedisClusterNodes(redis, "a").ListAsync()).Contains(moved), State);
        Assert.Equal("127.0.0.4:5070", nodes.OwnHostPort);

        // A lookup that fails keeps the address, and the node stays announced.
        answer = [];
        // (A refresh still finishing skips the next tick, one at a time: the clock moves on until a lookup was made.)
        var before = Volatile.Read(ref lookups);
        await WaitForAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(5));
            return Task.FromResult(Volatile.Read(ref lookups) > before);
        }, State);
        await Task.Delay(200);
        Assert.Equal(moved, nodes.Own);
        Assert.Contains(moved, await new RedisClusterNodes(redis, "a").ListAsync());
    }

    [Fact]
    public async Task A_sent_by_that_names_no_address_offers_no_hop()
    {
        await using var redis = await ConnectAsync();
        var nodes = new ClusterNodes();
        await using var announcer = new ClusterNodeAnnouncer(new RedisClusterNodes(redis, "b"), nodes, new FakeTimeProvider(DateTimeOffset.UtcNow),
            NullLogger<ClusterNodeAnnouncer>.Instance)
        {
            Resolve = (_, _) => Task.FromResult<IPAddress[]>([IPAddress.IPv6Loopback, IPAddress.Parse("127.0.0.2")]),
        };

        // A socket bound to 127.0.0.1 sends from there, so neither the name's IPv6 address nor another IPv4 one will do.
        await announcer.StartAsync("pbx-b.test:5070", IPAddress.Loopback, CancellationToken.None);
        Assert.Null(nodes.Own);
        Assert.Empty(await new RedisClusterNodes(redis, "a").ListAsync());
    }

    private static async Task<RedisSharedState> ConnectAsync() =>
        await RedisSharedState.ConnectAsync((await RedisServer.SharedAsync()).Configuration, RedisServer.NewPrefix("announcer"));

    private static async Task WaitForAsync(Func<Task<bool>> condition, Func<string> state)
    {
        var deadline = DateTimeOffset.UtcNow + Step;
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "not within 10 s: " + state());
            await Task.Delay(50);
        }
    }
}
