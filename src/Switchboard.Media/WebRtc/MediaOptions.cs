using System.Net;
using Switchboard.Media.Ice;

namespace Switchboard.Media.WebRtc;

/// <summary>Where media ports live and what address the answers advertise (docs/media.md).</summary>
public sealed record MediaOptions
{
    /// <summary>The local address media sockets bind to.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>
    /// The address written in answers (c= and the host candidate). Set it to the public address when
    /// the PBX sits behind a 1:1 NAT that forwards the port range; null means <see cref="BindAddress"/>.
    /// </summary>
    public IPAddress? AdvertisedAddress { get; init; }

    /// <summary>First port of the UDP range (one port per leg, RTP and RTCP multiplexed).</summary>
    public int PortMin { get; init; } = 40000;

    /// <summary>Last port of the range, inclusive.</summary>
    public int PortMax { get; init; } = 40999;

    /// <summary>
    /// How long a port a leg gave back stays parked (bound, unread) before another leg may get it. A phone
    /// may go on sending for a while after its call ended (a lost BYE, a slow hang-up), and a phone leg
    /// latches onto the first valid RTP from any address: a port handed on too soon would let that stale
    /// stream take the new call (docs/media.md, "Port pool").
    /// </summary>
    public TimeSpan PortQuarantine { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The most sockets kept parked for reuse (the surplus is closed); null means half the range, so the pool
    /// never holds the whole range. 0 closes every socket a leg gives back, as before pooling.
    /// </summary>
    public int? MaxParkedPorts { get; init; }

    public IceLiteOptions Ice { get; init; } = new();

    /// <summary>The DTLS handshake must complete within this time after the leg is created.</summary>
    public TimeSpan DtlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public IPAddress Advertised => AdvertisedAddress ?? BindAddress;
}
