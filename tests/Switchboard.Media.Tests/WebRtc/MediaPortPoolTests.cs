using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Media.Phone;
using Switchboard.Media.Shards;
using Switchboard.Media.Tests.Relay;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.WebRtc;

/// <summary>
/// The port pool keeps the sockets legs give back bound and hands them out again only after the quarantine,
/// emptied. On the simulated network with a fake clock, and once on real UDP for the kernel's drain.
/// </summary>
public sealed class MediaPortPoolTests
{
    private static readonly TimeSpan Quarantine = TimeSpan.FromSeconds(10);
    private static readonly IPAddress PbxAddress = IPAddress.Parse("10.2.0.1");
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryMediaNetwork _network = new();

    [Fact]
    public void A_returned_port_goes_to_no_one_before_the_quarantine_and_to_the_next_rent_after_it()
    {
        using var pool = Pool(ports: 4);
        var first = pool.Rent()!;
        var port = first.LocalEndPoint.Port;
        pool.Return(first);
        Assert.True(pool.IsParked(port));

        _time.Advance(Quarantine - TimeSpan.FromMilliseconds(1));
        var during = pool.Rent()!;
        Assert.NotEqual(port, during.LocalEndPoint.Port);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var after = pool.Rent()!;
        Assert.Same(first, after);
        Assert.False(pool.IsParked(port));
        Assert.Equal(2, pool.Opened);
        Assert.Equal(1, pool.Reused);
    }

    [Fact]
    public void In_use_counts_rented_sockets_until_they_come_back_whether_parked_reused_or_closed()
    {
        using var pool = Pool(ports: 4);
        var a = pool.Rent()!;
        var b = pool.Rent()!;
        Assert.Equal(2, pool.InUse);

        pool.Return(a);
        Assert.Equal(1, pool.InUse);
        _time.Advance(Quarantine);
        var reused = pool.Rent()!;
        Assert.Same(a, reused);
        Assert.Equal(2, pool.InUse);

        pool.Return(reused);
        pool.Return(b);
        Assert.Equal(0, pool.InUse);
        Assert.Equal(2, pool.ParkedCount);
    }

    [Fact]
    public void The_oldest_parked_socket_goes_first()
    {
        using var pool = Pool(ports: 4);
        var a = pool.Rent()!;
        var b = pool.Rent()!;
        pool.Return(b);
        _time.Advance(TimeSpan.FromSeconds(1));
        pool.Return(a);
        _time.Advance(Quarantine);

        Assert.Same(b, pool.Rent());
        Assert.Same(a, pool.Rent());
    }

    [Fact]
    public void With_every_other_port_taken_a_call_gets_a_quarantined_port_rather_than_none()
    {
        using var pool = Pool(ports: 2);
        var a = pool.Rent()!;
        _ = pool.Rent()!;
        pool.Return(a);

        Assert.Same(a, pool.Rent());
        Assert.Null(pool.Rent());
    }

    [Fact]
    public void A_datagram_sent_to_a_parked_port_is_dropped_before_the_next_leg_reads_it()
    {
        using var pool = Pool(ports: 1);
        var socket = pool.Rent()!;
        pool.Return(socket);
        using var stale = _network.Bind(new IPEndPoint(IPAddress.Parse("10.2.0.9"), 5004))!;
        stale.Send(new byte[] { 0x80, 0, 0, 1 }, socket.LocalEndPoint.Serialize());
        stale.Send(new byte[] { 0x80, 0, 0, 2 }, socket.LocalEndPoint.Serialize());
        _time.Advance(Quarantine);

        var reused = pool.Rent()!;
        Assert.Same(socket, reused);
        Assert.Equal(-1, reused.TryReceive(new byte[64], new SocketAddress(AddressFamily.InterNetwork)));
    }

    [Fact]
    public async Task On_real_udp_what_queued_on_a_parked_port_is_dropped_too()
    {
        var first = 20000 + (Random.Shared.Next(200) * 100);
        using var pool = new MediaPortPool(new MediaOptions { BindAddress = IPAddress.Loopback, PortMin = first, PortMax = first + 99, PortQuarantine = TimeSpan.Zero });
        var socket = pool.Rent()!;
        pool.Return(socket);
        using var stale = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        for (var i = 0; i < 3; i++)
        {
            await stale.SendAsync(new byte[] { 0x80, 0, 0, (byte)i }, socket.LocalEndPoint);
        }

        // Wait (bounded) until the kernel has them queued: the port is readable.
        using (var poller = UdpMediaNetwork.Instance.CreatePoller(TimeProvider.System))
        {
            poller.Add(socket, 1);
            Assert.Equal(1, poller.Wait(new ulong[1], TimeSpan.FromSeconds(5)));
            poller.Remove(socket);
        }

        var reused = pool.Rent()!;
        Assert.Same(socket, reused);
        Assert.Equal(-1, reused.TryReceive(new byte[64], new SocketAddress(AddressFamily.InterNetwork)));
        pool.Return(reused);
    }

    [Fact]
    public void Beyond_the_cap_a_returned_socket_is_closed()
    {
        using var pool = Pool(ports: 8, maxParked: 2);
        var sockets = Enumerable.Range(0, 3).Select(_ => pool.Rent()!).ToList();
        foreach (var socket in sockets)
        {
            pool.Return(socket);
        }

        Assert.Equal(2, pool.ParkedCount);
        Assert.False(pool.IsParked(sockets[2].LocalEndPoint.Port));
        Assert.True(IsFree(sockets[2].LocalEndPoint));
        Assert.False(IsFree(sockets[0].LocalEndPoint));
    }

    [Fact]
    public void The_default_cap_is_half_the_range()
    {
        using var pool = Pool(ports: 6, maxParked: null);
        var sockets = Enumerable.Range(0, 6).Select(_ => pool.Rent()!).ToList();
        sockets.ForEach(pool.Return);

        Assert.Equal(3, pool.ParkedCount);
    }

    [Fact]
    public void Disposing_the_pool_closes_every_parked_socket_and_any_returned_later()
    {
        using var pool = Pool(ports: 4);
        var a = pool.Rent()!;
        var b = pool.Rent()!;
        pool.Return(a);

        pool.Dispose();
        pool.Return(b);

        Assert.Equal(0, pool.ParkedCount);
        Assert.True(IsFree(a.LocalEndPoint));
        Assert.True(IsFree(b.LocalEndPoint));
    }

    [Fact]
    public async Task A_phone_still_sending_after_its_call_cannot_latch_the_next_call_on_its_port()
    {
        using var pool = Pool(ports: 2);
        await using var shard = new MediaShard(0, _network, _time, NullLogger.Instance);
        using var stalePhone = _network.Bind(new IPEndPoint(IPAddress.Parse("10.2.0.9"), 5004))!;
        using var newPhone = _network.Bind(new IPEndPoint(IPAddress.Parse("10.2.0.10"), 5004))!;
        using var stale = new RawPhone(0x5A1E);
        var packet = stale.AudioPacket(0);

        // The first call ends; its phone goes on sending to the port it had.
        var ended = RtpLeg.TryCreate(pool, shard, NullLogger.Instance, _ => { })!;
        var stalePort = ended.LocalPort;
        await ended.DisposeAsync();
        stalePhone.Send(packet, new IPEndPoint(PbxAddress, stalePort).Serialize());

        // Within the quarantine the next call gets another port, which the stale stream never reaches.
        await using var during = RtpLeg.TryCreate(pool, shard, NullLogger.Instance, _ => { })!;
        Assert.NotEqual(stalePort, during.LocalPort);

        // After it, the port is handed on emptied: the stale packets queued meanwhile latch nothing.
        stalePhone.Send(packet, new IPEndPoint(PbxAddress, stalePort).Serialize());
        _time.Advance(Quarantine);
        await using var next = RtpLeg.TryCreate(pool, shard, NullLogger.Instance, _ => { })!;
        Assert.Equal(stalePort, next.LocalPort);
        next.SetRemote(newPhone.LocalEndPoint, RawPhone.Audio(0, null));
        next.Start();
        await shard.InvokeAsync(() => Task.CompletedTask);
        await shard.InvokeAsync(() => Task.CompletedTask);

        Assert.Equal(0, next.Counters.PacketsReceived);
        Assert.Equal(newPhone.LocalEndPoint, next.RemoteEndPoint);
    }

    private MediaPortPool Pool(int ports, int? maxParked = 100) => new(
        new MediaOptions { BindAddress = PbxAddress, PortMin = 40000, PortMax = 40000 + ports - 1, PortQuarantine = Quarantine, MaxParkedPorts = maxParked },
        _network, _time);

    /// <summary>Whether nobody holds the address on the simulated network (a closed socket lets go of it).</summary>
    private bool IsFree(IPEndPoint endPoint)
    {
        using var probe = _network.Bind(endPoint);
        return probe is not null;
    }
}
