using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;
using Switchboard.Storage.Redis;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.Storage.Tests.Redis;

/// <summary>UDP registrations shared through a real Redis (docs/scale-out.md, "Calls across nodes").</summary>
public sealed class SharedRegistrationsTests : IAsyncLifetime
{
    private static readonly IPEndPoint Proxy = IPEndPoint.Parse("127.0.0.1:5090");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly RedisNodes _nodes = new("registrations");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _nodes.CloseAsync();

    [Fact]
    public async Task One_nodes_bindings_reach_the_others_live_and_at_their_start_and_are_withdrawn_by_an_empty_list()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var seenByB = Channel.CreateUnbounded<NodeBindings>();
        var seenByA = Channel.CreateUnbounded<NodeBindings>();
        using var subscribedB = b.Subscribe(change => seenByB.Writer.TryWrite(change));
        using var subscribedA = a.Subscribe(change => seenByA.Writer.TryWrite(change));

        var binding = new ContactBinding(42, SipUri.Parse("sip:700@192.0.2.5:5062"), new SipFlow(SipTransportKind.Udp, IPEndPoint.Parse("127.0.0.1:5071"), Proxy),
            _time.GetUtcNow().AddMinutes(5), "urn:uuid:7", 1, "call-7", 9, "baresip", ["<sip:127.0.0.1:5090;lr;received=sip:192.0.2.5:5062>"]);
        a.Publish(42, [binding]);

        var live = await seenByB.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(a.Node, live.Node);
        Assert.Equal(42, live.ExtensionId);
        var shared = Assert.Single(live.Bindings);
        Assert.Equal(binding.Contact, shared.Contact);
        Assert.Equal(Proxy, shared.Flow.Remote);
        Assert.Equal(SipTransportKind.Udp, shared.Flow.Transport);
        Assert.Equal(binding.ExpiresAt.ToUnixTimeMilliseconds(), shared.ExpiresAt.ToUnixTimeMilliseconds());
        Assert.Equal(("urn:uuid:7", 1, "call-7", 9u, "baresip"), (shared.InstanceId, shared.RegId, shared.CallId, shared.CSeq, shared.UserAgent));
        Assert.Equal(binding.Path, shared.Path);

        // A node that starts later reads what is shared; a node does not take in its own.
        var c = await NodeAsync();
        var loaded = Assert.Single(await c.LoadAsync(_time.GetUtcNow()));
        Assert.Equal((a.Node, 42L), (loaded.Node, loaded.ExtensionId));
        Assert.Empty(await a.LoadAsync(_time.GetUtcNow()));
        Assert.False(seenByA.Reader.TryRead(out _));

        a.Publish(42, []);
        var withdrawn = await seenByB.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Empty(withdrawn.Bindings);
        Assert.Empty(await c.LoadAsync(_time.GetUtcNow()));
    }

    [Fact]
    public async Task A_message_that_is_not_a_shared_registration_is_ignored()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var seen = Channel.CreateUnbounded<NodeBindings>();
        using var subscribed = b.Subscribe(change => seen.Writer.TryWrite(change));

        var publisher = _nodes.Connections[0].Connection.GetSubscriber();
        await publisher.PublishAsync(StackExchange.Redis.RedisChannel.Literal(_nodes.Prefix + "registrations"), "node|not-a-number|[]");
        await publisher.PublishAsync(StackExchange.Redis.RedisChannel.Literal(_nodes.Prefix + "registrations"), "node|5|{\"no\":\"array\"}");
        await publisher.PublishAsync(StackExchange.Redis.RedisChannel.Literal(_nodes.Prefix + "registrations"), "node|5|[{\"Contact\":\"not a uri\",\"Remote\":\"x\"}]");
        a.Publish(5, []);

        // Only the well-formed withdrawal arrives (messages on one channel arrive in order).
        var first = await seen.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((a.Node, 5L), (first.Node, first.ExtensionId));
    }

    private async Task<RedisRegistrations> NodeAsync() =>
        new(await _nodes.ConnectAsync(), _time, NullLogger<RedisRegistrations>.Instance);
}
