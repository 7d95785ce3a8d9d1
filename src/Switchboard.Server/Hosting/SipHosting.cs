using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Cluster;
using Switchboard.Pbx.Registrar;
using Switchboard.Pbx.Sip;
using Switchboard.Pbx.Trunks;
using Switchboard.Storage;
using Switchboard.Sip.Transport;

namespace Switchboard.Server.Hosting;

/// <summary>Composition of the SIP side: transports, registrar, endpoint, and their start-up order.</summary>
internal static class SipHosting
{
    public static void Register(IServiceCollection services, PbxHostOptions options, X509Certificate2 certificate)
    {
        var sip = options.Sip;
        var bind = IPAddress.Parse(sip.BindAddress ?? options.BindAddress);
        services.AddSingleton(sip.Registrar with { DefaultDomain = options.DefaultDomain });
        services.AddSingleton(sip.Calls);
        services.AddSingleton<LocationService>();
        services.AddSingleton<ClusterNodes>();
        services.AddSingleton<IRegistrationStore, SqlRegistrationStore>();
        services.AddSingleton<SipFlowBindings>();
        services.AddSingleton<SipRequestAuthenticator>();
        services.AddSingleton<Registrar>();
        services.AddSingleton<RegistrarSipServices>();
        services.AddSingleton<ISipRegistrar>(p => p.GetRequiredService<RegistrarSipServices>());
        services.AddSingleton<ISipAuthenticator>(p => p.GetRequiredService<RegistrarSipServices>());
        services.AddSingleton<ISipLocations>(p => p.GetRequiredService<RegistrarSipServices>());
        services.AddSingleton(p => new SipTransportHub(new SipTransportOptions
        {
            BindAddress = bind,
            UdpPort = sip.UdpPort,
            TcpPort = sip.TcpPort,
            TlsPort = sip.TlsPort,
            TlsCertificate = certificate,
            AcceptAnyServerCertificate = sip.AcceptAnyServerCertificate,
            AdvertisedHost = sip.AdvertisedHost,

            // The endpoint's loop reads the UDP socket itself (SipUdpReader): no hand-over between threads per datagram.
            ExternalUdpReceive = true,

            // RFC 7118 section 5.2: a WebSocket client cannot be reached at a sent-by anyway; the name only has to parse.
            WsSentBy = "switchboard.invalid",
            WssSentBy = "switchboard.invalid",
        }, p.GetRequiredService<ILogger<SipTransportHub>>(), options.Time));
        services.AddSingleton<ISipTransport>(p => p.GetRequiredService<SipTransportHub>());
        services.AddSingleton<ISipWebSocketHost, HubWebSocketHost>();
        services.AddSingleton<ITrunkStore, SqlTrunkStore>();
        services.AddSingleton<TrunkService>();
        services.AddSingleton(new SipEndpointOptions { Timers = sip.Timers });
        services.AddSingleton<SipEndpoint>();
        services.AddSingleton(sip.Flood);
        services.AddSingleton<SipFloodGate>();
    }

    /// <summary>The endpoint starts before the transports, so the first datagram already has somewhere to go.</summary>
    public static async Task StartAsync(IServiceProvider services, CancellationToken ct)
    {
        var engine = services.GetRequiredService<CallEngine>();
        var endpoint = services.GetRequiredService<SipEndpoint>();
        var trunks = services.GetRequiredService<TrunkService>();
        var flood = services.GetRequiredService<SipFloodGate>();
        var nodes = services.GetRequiredService<ClusterNodes>();
        flood.Trusted = address => trunks.IsTrunkAddress(address) || nodes.IsNodeAddress(address);
        endpoint.FloodGate = flood;
        engine.AttachSip(endpoint);
        var announcer = services.GetService<ClusterNodeAnnouncer>();
        if (announcer is not null)
        {
            // In a cluster: calls to phones other nodes hold over connections go through their hop, and this node's hop
            // carries theirs (docs/scale-out.md, "Calls across nodes").
            endpoint.HopKey = services.GetRequiredService<NodeHopKey>();
            endpoint.Relay = new NodeHopRelay(services.GetRequiredService<ISipTransport>(), services.GetRequiredService<LocationService>(),
                services.GetRequiredService<ClusterNodes>(), endpoint.HopKey, services.GetRequiredService<TimeProvider>(),
                () => endpoint.RefusesNewRequests, services.GetRequiredService<ILogger<NodeHopRelay>>());
        }

        endpoint.Start(engine);
        var hub = services.GetRequiredService<SipTransportHub>();
        await hub.StartAsync(endpoint, ct);
        if (announcer is not null)
        {
            await announcer.StartAsync(hub, ct);
        }

        await StartupRecovery.RestoreRegistrationsAsync(services, hub, ct);
        if (services.GetService<SharedRegistrationMirror>() is { } mirror)
        {
            await mirror.StartAsync(hub, ct);
        }

        await SipUdpReader.AttachAsync(hub, endpoint);

        // Trunks register once the transports listen; carriers' INVITEs are told apart by their source.
        await trunks.StartAsync(endpoint, ct);
        endpoint.TrunkSource = trunks.FromSource;
    }

    private sealed class HubWebSocketHost(SipTransportHub hub) : ISipWebSocketHost
    {
        public Task RunAsync(WebSocket socket, IPEndPoint local, IPEndPoint remote, bool secure, CancellationToken ct) =>
            hub.RunWebSocketAsync(socket, local, remote, secure, ct);
    }
}
