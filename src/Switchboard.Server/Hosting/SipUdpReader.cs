using System.Net;
using Switchboard.Media.Shards;
using Switchboard.Pbx.Sip;
using Switchboard.Sip.Transport;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Reads the SIP UDP socket on the endpoint's own loop: a datagram is parsed and handled on the thread that read it,
/// instead of going from the socket engine's thread to a thread-pool receive loop and then to the endpoint's loop
/// (two hand-overs and their wake-ups per datagram, the largest cost `perf` showed at a few hundred calls per second).
/// </summary>
internal sealed class SipUdpReader : IShardMember
{
    private readonly SipTransportHub _hub;

    private SipUdpReader(SipTransportHub hub) => _hub = hub;

    /// <summary>Registers the hub's UDP socket on <paramref name="endpoint"/>'s loop (the hub was started with ExternalUdpReceive).</summary>
    public static Task AttachAsync(SipTransportHub hub, SipEndpoint endpoint)
    {
        if (hub.UdpSocket is not { } socket)
        {
            return Task.CompletedTask;
        }

        var reader = new SipUdpReader(hub);
        return endpoint.Loop.InvokeAsync(() =>
        {
            endpoint.Loop.Register(reader, UdpMediaNetwork.Adopt(socket));
            return Task.CompletedTask;
        });
    }

    public void OnDatagram(Span<byte> datagram, SocketAddress source, TimeSpan now) => _hub.DeliverUdp(source, datagram);

    /// <summary>No timers of its own: the endpoint's heartbeat drives the SIP timers.</summary>
    public TimeSpan Poll(TimeSpan now) => TimeSpan.MaxValue;
}
