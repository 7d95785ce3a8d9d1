using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Shards;
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

    private readonly MediaShards _shards;
    private readonly SipTransportHub? _udp;
    private Switchboard.Pbx.Queues.QueueService? _queues;
    private Switchboard.Pbx.Trunks.TrunkService? _trunks;

    private PbxUnderTest(InMemorySipNetwork network, SipEndpoint endpoint, CallEngine engine, InMemoryCallRecordStore records, LocationService locations, MediaShards shards,
        MediaPortPool ports, SipTransportHub? udp)
    {
        _shards = shards;
        Ports = ports;
        _udp = udp;
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

    /// <summary>The PBX's media ports: a leg that ended gave its port back here (parked, still bound).</summary>
    public MediaPortPool Ports { get; }

    /// <summary>Where the PBX's SIP listens on real UDP, when started with a <c>udp</c> transport.</summary>
    public IPEndPoint UdpAddress => new(IPAddress.Loopback, _udp?.UdpPort ?? throw new InvalidOperationException("The SIP is on the in-memory network."));

    /// <summary>The call policy's counters of calls out through trunks, when started with a policy store.</summary>
    public Switchboard.Pbx.Policy.CallLimiter? Limiter { get; private init; }

    /// <summary>The simulated media network, when the PBX's media runs on one.</summary>
    public InMemoryMediaNetwork? MediaNetwork { get; private init; }

    /// <summary>
    /// The PBX with its SIP on the in-memory SIP network; its media on real loopback UDP, or on
    /// <paramref name="media"/> when given (then with the shards' clock <paramref name="time"/> too). With
    /// <paramref name="udp"/>, its SIP is on real UDP on 127.0.0.1 instead, behind <paramref name="flood"/> if given.
    /// With <paramref name="queues"/>, those queues run (their numbers in the dial plan). With <paramref name="policy"/>,
    /// external numbers are decided by its rules, classes and limits, and go out through <paramref name="trunk"/> (its
    /// proxy an address on the in-memory network).
    /// </summary>
    public static async Task<PbxUnderTest> StartAsync(CallOptions? calls = null, Switchboard.Pbx.Ivr.IvrRuntime? ivr = null,
        InMemoryMediaNetwork? media = null, TimeProvider? time = null, bool udp = false, SipFloodGate? flood = null,
        IReadOnlyList<Switchboard.Pbx.Queues.QueueDefinition>? queues = null, InMemoryPolicyStore? policy = null,
        (Switchboard.Pbx.Trunks.Trunk Trunk, string Password)? trunk = null)
    {
        time ??= TimeProvider.System;
        var directory = new InMemoryDirectoryStore(time);
        await directory.CreateDomainAsync(Domain);
        await directory.CreateExtensionAsync(new NewExtension(Domain, "100", "Alice", "web-100", "sip-100"));
        await directory.CreateExtensionAsync(new NewExtension(Domain, "101", "Bob", "web-101", "sip-101"));
        await directory.CreateExtensionAsync(new NewExtension(Domain, "102", "Carol", "web-102", "sip-102"));
        await directory.CreateExtensionAsync(new NewExtension(Domain, "103", "Dave", "web-103", "sip-103"));
        var registrarOptions = new RegistrarOptions { DefaultDomain = Domain };
        var throttle = new LoginThrottle(new SecurityOptions(), time);
        var authenticator = new SipRequestAuthenticator(directory, throttle, registrarOptions, time, NullLogger<SipRequestAuthenticator>.Instance);
        var locations = new LocationService();
        var registrar = new Switchboard.Pbx.Registrar.Registrar(authenticator, locations, registrarOptions, time, NullLogger<Switchboard.Pbx.Registrar.Registrar>.Instance);
        var services = new RegistrarSipServices(registrar, authenticator, locations, time);
        var network = new InMemorySipNetwork();
        var transport = network.AddEndpoint("pbx", Address);
        var hub = udp ? new SipTransportHub(new SipTransportOptions { UdpPort = 0 }) : null;
        var endpoint = new SipEndpoint((ISipTransport?)hub ?? transport, services, services, services, new SipEndpointOptions(), time, NullLogger<SipEndpoint>.Instance);
        var records = new InMemoryCallRecordStore();
        var shards = new MediaShards(2, media ?? (IMediaNetwork)UdpMediaNetwork.Instance, time, NullLoggerFactory.Instance);
        var ports = new MediaPortPool(new MediaOptions { PortMin = 47000, PortMax = 47999 }, media, time);
        var mediaLegs = new WebRtcMedia(ports, shards, time, NullLoggerFactory.Instance);
        var serviceOptions = new ServiceOptions();
        var queueDirectory = queues is null ? null : new Switchboard.Pbx.Queues.QueueDirectory(queues);
        var queueService = queueDirectory is null ? null : new Switchboard.Pbx.Queues.QueueService(queueDirectory, time, NullLogger<Switchboard.Pbx.Queues.QueueService>.Instance);
        var counters = new Switchboard.Pbx.Policy.PolicyCounters();
        var limiter = policy is null ? null : new Switchboard.Pbx.Policy.CallLimiter(time, counters);
        var callPolicy = policy is null ? null : new Switchboard.Pbx.Policy.CallPolicy(policy, limiter!, counters, NullLogger<Switchboard.Pbx.Policy.CallPolicy>.Instance);
        var trunks = trunk is { } t ? new Switchboard.Pbx.Trunks.TrunkService(new InMemoryTrunkStore(t.Trunk, t.Password), time, NullLogger<Switchboard.Pbx.Trunks.TrunkService>.Instance) : null;
        var engine = new CallEngine(new DialPlan(directory, serviceOptions, callPolicy, queueDirectory), records, mediaLegs, serviceOptions, new MediaSetupStats(),
            calls ?? new CallOptions(), services, time, NullLogger<CallEngine>.Instance, trunks: trunks, policy: callPolicy, ivr: ivr, queues: queueService);
        engine.AttachSip(endpoint);
        endpoint.FloodGate = flood;
        endpoint.Start(engine);
        transport.Attach(endpoint);
        if (trunks is not null)
        {
            await trunks.StartAsync(endpoint, CancellationToken.None);
        }
        if (hub is not null)
        {
            await hub.StartAsync(endpoint, CancellationToken.None);
        }

        return new PbxUnderTest(network, endpoint, engine, records, locations, shards, ports, hub) { MediaNetwork = media, _queues = queueService, _trunks = trunks, Limiter = limiter };
    }

    /// <summary>
    /// On the simulated media network: returns once the PBX's media ports hold nothing unread and every shard
    /// has finished a turn after that (so what the packets caused, digits included, has been posted to the calls).
    /// </summary>
    public async Task SettleMediaAsync()
    {
        var network = MediaNetwork ?? throw new InvalidOperationException("The media is on real UDP.");
        for (var turn = 0; turn < 10_000; turn++)
        {
            await EveryShardTurnsAsync();
            if (!network.HasQueued(port => port.Port is >= 47000 and <= 47999))
            {
                break;
            }
        }

        // A turn runs posted work before timers: one more turn puts this after the timers of the last one.
        await EveryShardTurnsAsync();
    }

    private async Task EveryShardTurnsAsync()
    {
        foreach (var shard in _shards.All)
        {
            await shard.InvokeAsync(() => Task.CompletedTask);
        }
    }

    public TestPhone Phone(string user, int host, SipTransportKind transport = SipTransportKind.Udp) =>
        new(Network, new IPEndPoint(IPAddress.Parse($"10.0.0.{host}"), 5062), Address, user, Domain, "sip-" + user, transport, MediaNetwork);

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        if (_trunks is not null)
        {
            await _trunks.DisposeAsync();
        }
        if (_queues is not null)
        {
            await _queues.DisposeAsync();
        }

        await Endpoint.DisposeAsync();
        if (_udp is not null)
        {
            await _udp.DisposeAsync();
        }

        await Network.DisposeAsync();
        await _shards.DisposeAsync();
        Ports.Dispose();
    }
}
