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

    public IceLiteOptions Ice { get; init; } = new();

    /// <summary>The DTLS handshake must complete within this time after the leg is created.</summary>
    public TimeSpan DtlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public IPAddress Advertised => AdvertisedAddress ?? BindAddress;
}
