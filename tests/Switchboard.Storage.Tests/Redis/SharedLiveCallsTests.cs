using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Pbx.Calls;
using Switchboard.Storage.Redis;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Redis;

/// <summary>Live calls shared through a real Redis (docs/scale-out.md, "Live calls across nodes").</summary>
public sealed class SharedLiveCallsTests : IAsyncLifetime
{
    private readonly RedisNodes _nodes = new("live");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _nodes.CloseAsync();

    [Fact]
    public async Task One_nodes_calls_are_seen_by_the_others_with_their_figures_and_not_by_itself()
    {
        var a = await NodeAsync("node-a");
        var b = await NodeAsync("node-b");
        var call = Call("c-1") with { CallerQuality = new LegQualityFigures(1.5, 12.3, 48, 4.2) };
        a.Publish([call, Call("c-2")], TimeSpan.FromSeconds(10));

        var seen = await UntilAsync(() => b.LoadOthersAsync(), list => list.Count == 2);
        Assert.All(seen, s => Assert.Equal("node-a", s.Node));
        var first = seen.Single(s => s.Call.CallId == "c-1").Call;
        Assert.Equal(call, first);
        Assert.Empty(await a.LoadOthersAsync());

        // A new picture replaces the old one; an empty one leaves nothing.
        a.Publish([Call("c-3")], TimeSpan.FromSeconds(10));
        Assert.Equal("c-3", Assert.Single(await UntilAsync(() => b.LoadOthersAsync(), list => list.Count == 1 && list[0].Call.CallId == "c-3")).Call.CallId);
        a.Publish([], TimeSpan.FromSeconds(10));
        await UntilAsync(() => b.LoadOthersAsync(), list => list.Count == 0);
    }

    [Fact]
    public async Task A_node_that_stops_refreshing_drops_out_when_its_picture_expires()
    {
        var a = await NodeAsync("node-a");
        var b = await NodeAsync("node-b");
        a.Publish([Call("c-1")], TimeSpan.FromMilliseconds(700));
        Assert.Single(await UntilAsync(() => b.LoadOthersAsync(), list => list.Count == 1));
        await UntilAsync(() => b.LoadOthersAsync(), list => list.Count == 0);
    }

    [Fact]
    public async Task A_hang_up_reaches_only_the_node_named()
    {
        var a = await NodeAsync("node-a");
        var b = await NodeAsync("node-b");
        var c = await NodeAsync("node-c");
        var toA = Channel.CreateUnbounded<string>();
        var toC = Channel.CreateUnbounded<string>();
        using var subscribedA = a.SubscribeHangUps(id => toA.Writer.TryWrite(id));
        using var subscribedC = c.SubscribeHangUps(id => toC.Writer.TryWrite(id));

        b.RequestHangUp("node-a", "c-7");
        b.RequestHangUp("node-c", "c-8");

        Assert.Equal("c-7", await toA.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("c-8", await toC.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(toA.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_picture_that_is_not_a_list_of_calls_is_left_out()
    {
        var a = await NodeAsync("node-a");
        var b = await NodeAsync("node-b");
        var database = _nodes.Connections[0].Connection.GetDatabase();
        await database.StringSetAsync(_nodes.Prefix + "live:node-x", "{\"not\":\"a list\"}");
        await database.StringSetAsync(_nodes.Prefix + "live:node-y", "[{\"CallId\":\"\"}]");
        a.Publish([Call("c-1")], TimeSpan.FromSeconds(10));

        var seen = await UntilAsync(() => b.LoadOthersAsync(), list => list.Count >= 1);
        Assert.Equal("node-a", Assert.Single(seen).Node);
    }

    private static LiveCall Call(string id) => new(id, "example.com", "200@example.com", "*43", "sip", "echo", "live",
        DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), null, "PCMU", null);

    private async Task<RedisLiveCalls> NodeAsync(string node) => new(await _nodes.ConnectAsync(), node, NullLogger<RedisLiveCalls>.Instance);

    /// <summary>Fire-and-forget writes land a moment later: reads until the condition holds (bounded).</summary>
    private static async Task<IReadOnlyList<NodeLiveCall>> UntilAsync(Func<Task<IReadOnlyList<NodeLiveCall>>> read, Func<IReadOnlyList<NodeLiveCall>, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var list = await read();
            if (condition(list))
            {
                return list;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not within 5 s; last read {list.Count} calls");
            await Task.Delay(20);
        }
    }
}
