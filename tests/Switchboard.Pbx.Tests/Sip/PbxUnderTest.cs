using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Media;
using Switchboard.Pbx.Registrar;
using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Services;
using Switchboard.Pbx.Sip;
using Switchboard.Pbx.Tests.Fakes;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Tests.Sip;

/// <summary>
/// The whole PBX core in one process: registrar, SIP endpoint and call engine on an in-memory SIP network, with
/// real media legs on loopback UDP. Extensions 100 and 101 of example.com.
/// </summary>
internal sealed class PbxUnderTest : IAsyncDisposable
{
    public const string Domain = "example.com";
    public static readonly IPEndPoint Address = new(IPAddress.Parse("10.0.0.1"), 5060);

    private PbxUnderTest(InMemorySipNetwork network, SipEndpoint endpoint, CallEngine engine, InMemoryCallRecordStore records, LocationService locations)
    {
        Network = network;
        Endpoint = endpoint;
        Engine = engine;
        Records = records;
        Locations = locations;
    }

    public InMemorySipNetwork Network { get; }

    public SipEndpoint Endpoint { get; }

    public CallEngine Engine { get; }

    public InMemoryCallRecordStore Records { get; }

    public LocationService Locations { get; }

    public static async Task<PbxUnderTest> StartAsync(CallOptions? calls = null, Switchboard.Pbx.Ivr.IvrRuntime? ivr = null)
    {
        var time = TimeProvider.System;
        var directory = new InMemoryDirectoryStore(time);
        await directory.CreateDomainAsync(Domain);
        await directory.CreateExtensionAsync(new NewExtension(Domain, "100", "Alice", "web-100", "sip-100"));
        await directory.CreateExtensionAsync(new NewExtension(Domain, "101", "Bob", "web-101", "sip-101"));
        var registrarOptions = new RegistrarOptions { DefaultDomain = Domain };
        var throttle = new LoginThrottle(new SecurityOptions(), time);
        var authenticator = new SipRequestAuthenticator(directory, throttle, registrarOptions, time, NullLogger<SipRequestAuthenticator>.Instance);
        var locations = new LocationService();
        var registrar = new Switchboard.Pbx.Registrar.Registrar(authenticator, locations, registrarOptions, time, NullLogger<Switchboard.Pbx.Registrar.Registrar>.Instance);
        var services = new RegistrarSipServices(registrar, authenticator, locations, time);
        var network = new InMemorySipNetwork();
        var transport = network.AddEndpoint("pbx", Address);
        var endpoint = new SipEndpoint(transport, services, services, services, new SipEndpointOptions(), time, NullLogger<SipEndpoint>.Instance);
        var records = new InMemoryCallRecordStore();
        var media = new WebRtcMedia(new MediaPortPool(new MediaOptions { PortMin = 47000, PortMax = 47999 }), time, NullLoggerFactory.Instance);
        var serviceOptions = new ServiceOptions();
        var engine = new CallEngine(new DialPlan(directory, serviceOptions), records, media, serviceOptions, new MediaSetupStats(),
            calls ?? new CallOptions(), services, time, NullLogger<CallEngine>.Instance, ivr: ivr);
        engine.AttachSip(endpoint);
        endpoint.Start(engine);
        transport.Attach(endpoint);
        return new PbxUnderTest(network, endpoint, engine, records, locations);
    }

    public TestPhone Phone(string user, int host, SipTransportKind transport = SipTransportKind.Udp) =>
        new(Network, new IPEndPoint(IPAddress.Parse($"10.0.0.{host}"), 5062), Address, user, Domain, "sip-" + user, transport);

    /// <summary>Whether a media port the PBX offered is still held by one of its legs (a leg keeps its socket bound until disposed).</summary>
    public static bool MediaPortInUse(int port)
    {
        try
        {
            using var probe = new System.Net.Sockets.UdpClient(new IPEndPoint(new MediaOptions().BindAddress, port));
            return false;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        await Endpoint.DisposeAsync();
        await Network.DisposeAsync();
    }
}
