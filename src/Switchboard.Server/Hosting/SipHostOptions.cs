using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Registrar;
using Switchboard.Pbx.Security;
using Switchboard.Sip.Transactions;

namespace Switchboard.Server.Hosting;

/// <summary>The SIP side of the PBX: which transports listen where, registration limits and call timers (docs/sip.md).</summary>
public sealed record SipHostOptions
{
    /// <summary>UDP port; null disables UDP; 0 picks a free port (tests).</summary>
    public int? UdpPort { get; init; } = 5060;

    /// <summary>TCP port; null disables TCP.</summary>
    public int? TcpPort { get; init; } = 5060;

    /// <summary>TLS port (the PBX's certificate); null disables TLS.</summary>
    public int? TlsPort { get; init; } = 5061;

    /// <summary>Address the SIP ports bind to; default the web bind address.</summary>
    public string? BindAddress { get; init; }

    /// <summary>Host written in Via and Contact: the PBX's public name or address behind NAT; default the bind address.</summary>
    public string? AdvertisedHost { get; init; }

    /// <summary>Accept any certificate when the PBX connects out over TLS (labs and tests only).</summary>
    public bool AcceptAnyServerCertificate { get; init; }

    public RegistrarOptions Registrar { get; init; } = new();

    public CallOptions Calls { get; init; } = new();

    public SipTimerSettings Timers { get; init; } = SipTimerSettings.Default;

    /// <summary>Per-source request limits (docs/security.md, "SIP flood guard").</summary>
    public SipFloodOptions Flood { get; init; } = new();

    /// <summary>UDP, TCP and TLS on free ports: for tests and tools that start several PBXs at once.</summary>
    public static SipHostOptions Ephemeral { get; } = new() { UdpPort = 0, TcpPort = 0, TlsPort = 0 };
}
