using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Switchboard.Sip.Transport;

/// <summary>What <see cref="SipTransportHub"/> listens on and how it treats its connections.</summary>
public sealed record SipTransportOptions
{
    /// <summary>The address every listener binds to.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>UDP port; null disables UDP, 0 picks an ephemeral port.</summary>
    public int? UdpPort { get; init; }

    /// <summary>The UDP socket's receive buffer (SO_RCVBUF) in bytes; the kernel may cap it (Linux: net.core.rmem_max).</summary>
    public int UdpReceiveBufferSize { get; init; } = 4 << 20;

    /// <summary>TCP port; null disables TCP (also outbound), 0 picks an ephemeral port.</summary>
    public int? TcpPort { get; init; }

    /// <summary>TLS port; null disables TLS (also outbound), 0 picks an ephemeral port. Needs <see cref="TlsCertificate"/> to accept.</summary>
    public int? TlsPort { get; init; }

    /// <summary>The server certificate (with private key) for accepted TLS connections, and offered on outbound ones.</summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>
    /// Accept any server certificate on outbound TLS connections. For tests and closed lab networks only: it gives up
    /// the server authentication RFC 3261 section 26.3.1 relies on.
    /// </summary>
    public bool AcceptAnyServerCertificate { get; init; }

    /// <summary>Extra roots that outbound TLS trusts besides the system's (a carrier's private CA); the certificate's name is still checked.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? TrustedRoots { get; init; }

    /// <summary>
    /// The hub binds the UDP socket but does not read it: the program reads it on its own loop (the SIP endpoint's
    /// thread, so a datagram is handled where it is read, with no hand-over) and hands each datagram to
    /// <see cref="SipTransportHub.DeliverUdp"/>. Sending stays the hub's.
    /// </summary>
    public bool ExternalUdpReceive { get; init; }

    /// <summary>The host put in Via sent-by and Contact; default the bind address.</summary>
    public string? AdvertisedHost { get; init; }

    /// <summary>Sent-by for WebSocket flows (RFC 7118 section 5.2 allows an invalid domain such as <c>xyz.invalid</c>).</summary>
    public string? WsSentBy { get; init; }

    /// <summary>Sent-by for secure WebSocket flows.</summary>
    public string? WssSentBy { get; init; }

    /// <summary>Open connections of all kinds (TCP, TLS, WS) together; beyond it new ones are refused.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>A connection with no traffic either way for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Messages waiting to be written on one connection; beyond it <see cref="ISipTransport.TrySend"/> says false.</summary>
    public int SendQueueLimit { get; init; } = 256;

    /// <summary>Deadline for a TLS handshake, either direction, and for an outbound TCP connect.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest message accepted (the parser's limit).</summary>
    public int MaxMessageSize { get; init; } = 65_535;
}
