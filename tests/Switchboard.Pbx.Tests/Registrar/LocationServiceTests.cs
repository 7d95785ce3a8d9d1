using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Tests.Registrar;

public class LocationServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static RegisterSource Source(uint cseq, string callId = "c1", long extension = 1) =>
        new(extension, RegistrarHarness.Udp, callId, cseq, null);

    private static BindingUpdate Update(string uri, int seconds) => new(SipUri.Parse(uri), TimeSpan.FromSeconds(seconds), null, null);

    [Fact]
    public void One_out_of_order_contact_leaves_the_whole_update_unapplied()
    {
        var location = new LocationService();
        Assert.True(location.Apply(Source(5), [Update("sip:a@192.0.2.1", 60)], 10, Now).IsOk);

        var result = location.Apply(Source(5), [Update("sip:b@192.0.2.2", 60), Update("sip:a@192.0.2.1", 0)], 10, Now);
        Assert.Equal(BindingUpdateStatus.OutOfOrder, result.Status);
        Assert.Equal("sip:a@192.0.2.1", Assert.Single(location.Lookup(1, Now)).Contact.ToString());
    }

    [Fact]
    public void Another_call_id_may_change_a_binding_whatever_its_cseq()
    {
        var location = new LocationService();
        location.Apply(Source(5), [Update("sip:a@192.0.2.1", 60)], 10, Now);

        var result = location.Apply(Source(1, "c2"), [Update("sip:a@192.0.2.1", 0)], 10, Now);
        Assert.True(result.IsOk);
        Assert.Equal(1, result.Removed);
        Assert.Equal(0, location.Count);
    }

    [Fact]
    public void Extensions_are_kept_apart_and_expired_bindings_go_at_the_next_update()
    {
        var location = new LocationService();
        location.Apply(Source(1, extension: 1), [Update("sip:a@192.0.2.1", 60)], 10, Now);
        location.Apply(Source(1, extension: 2), [Update("sip:b@192.0.2.2", 600)], 10, Now);
        Assert.Equal(2, location.Count);

        var later = Now.AddSeconds(61);
        location.Apply(Source(2, extension: 1), [Update("sip:c@192.0.2.3", 60)], 10, later);
        Assert.Equal("sip:c@192.0.2.3", Assert.Single(location.Lookup(1, later)).Contact.ToString());
        Assert.Single(location.Lookup(2, later));
        Assert.Equal(2, location.Count);
    }
}

/// <summary>Bindings other nodes share (docs/scale-out.md, "Calls across nodes") beside the node's own.</summary>
public class SharedLocationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static ContactBinding Remote(string uri, int seconds, string? instance = null) =>
        new(1, SipUri.Parse(uri), RegistrarHarness.Udp, Now.AddSeconds(seconds), instance, null, "remote-call", 1, "Phone/1");

    [Fact]
    public void Another_nodes_bindings_are_found_after_the_own_ones_and_withdrawn_when_it_says_so()
    {
        var location = new LocationService();
        location.Apply(new RegisterSource(1, RegistrarHarness.Udp, "c1", 1, null), [new(SipUri.Parse("sip:own@192.0.2.1"), TimeSpan.FromSeconds(60), null, null)], 10, Now);
        location.ApplyRemote("node-b", 1, [Remote("sip:far@192.0.2.9", 60)]);

        var found = location.Lookup(1, Now);
        Assert.Equal(["sip:own@192.0.2.1", "sip:far@192.0.2.9"], found.Select(b => b.Contact.ToString()));
        Assert.Equal([null, "node-b"], found.Select(b => b.Node));
        Assert.Single(location.LookupOwn(1, Now));
        Assert.Equal(1, location.Count);

        location.ApplyRemote("node-b", 1, []);
        Assert.Single(location.Lookup(1, Now));
    }

    [Fact]
    public void A_phone_that_moved_here_is_rung_once_through_this_node_and_expired_shared_bindings_are_skipped_then_swept()
    {
        var location = new LocationService();
        location.ApplyRemote("node-b", 1, [Remote("sip:a@192.0.2.1", 60, instance: "urn:uuid:1"), Remote("sip:old@192.0.2.2", 10)]);
        location.Apply(new RegisterSource(1, RegistrarHarness.Udp, "c1", 1, null),
            [new(SipUri.Parse("sip:a@198.51.100.1"), TimeSpan.FromSeconds(60), "urn:uuid:1", null)], 10, Now);

        Assert.Equal(["sip:a@198.51.100.1", "sip:old@192.0.2.2"], location.Lookup(1, Now).Select(b => b.Contact.ToString()));
        var later = Now.AddSeconds(30);
        Assert.Equal(["sip:a@198.51.100.1"], location.Lookup(1, later).Select(b => b.Contact.ToString()));

        location.Sweep(Now.AddSeconds(61));
        Assert.Empty(location.Lookup(1, Now));
    }
}
