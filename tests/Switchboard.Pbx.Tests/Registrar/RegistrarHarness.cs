using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Pbx.Links;
using Switchboard.Pbx.Registrar;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Tests.Fakes;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;
using SipRegistrar = Switchboard.Pbx.Registrar.Registrar;

namespace Switchboard.Pbx.Tests.Registrar;

/// <summary>A registrar over an in-memory directory with extensions 100 and 101 of example.com (the default domain), on a fake clock.</summary>
internal sealed class RegistrarHarness
{
    public const string Domain = "example.com";
    public const string SipPassword100 = "sip-secret-100";
    public const string WebPassword100 = "web-secret-100";

    public static readonly SipFlow Udp = new(SipTransportKind.Udp, new IPEndPoint(IPAddress.Loopback, 5060), new IPEndPoint(IPAddress.Parse("192.0.2.10"), 5070));
    public static readonly SipFlow Tcp = new(SipTransportKind.Tcp, new IPEndPoint(IPAddress.Loopback, 5060), new IPEndPoint(IPAddress.Parse("192.0.2.11"), 40001), 7);

    public RegistrarHarness(RegistrarOptions? options = null, ISharedRegistrations? shared = null, Pbx.Cluster.ClusterNodes? cluster = null)
    {
        Options = options ?? new RegistrarOptions { DefaultDomain = Domain, DigestAlgorithms = [DigestAlgorithm.Sha256, DigestAlgorithm.Md5] };
        Directory = new InMemoryDirectoryStore(Time);
        Directory.CreateDomainAsync(Domain).GetAwaiter().GetResult();
        Directory.CreateDomainAsync("other.org").GetAwaiter().GetResult();
        Directory.CreateExtensionAsync(new(Domain, "100", "Hundred", WebPassword100, SipPassword100)).GetAwaiter().GetResult();
        Directory.CreateExtensionAsync(new(Domain, "101", "Hundred-one", "web-101", "sip-101")).GetAwaiter().GetResult();
        Throttle = new LoginThrottle(Security, Time);
        Authenticator = new SipRequestAuthenticator(Directory, Throttle, Options, Time, NullLogger<SipRequestAuthenticator>.Instance, Failures, bindings: Bindings);
        Registrar = new SipRegistrar(Authenticator, Location, Options, Time, NullLogger<SipRegistrar>.Instance, Stored, shared, cluster);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    public SecurityOptions Security { get; } = new() { AccountFailureLimit = 3, AddressFailureLimit = 10 };

    public RegistrarOptions Options { get; }

    public InMemoryDirectoryStore Directory { get; }

    public InMemoryLoginFailureStore Failures { get; } = new();

    public LoginThrottle Throttle { get; }

    public LocationService Location { get; } = new();

    /// <summary>What the registrar handed to its store, in order.</summary>
    public RecordingRegistrationStore Stored { get; } = new();

    public SipRequestAuthenticator Authenticator { get; }

    /// <summary>WebSocket connections the web login bound to an extension (phone.htm).</summary>
    public SipFlowBindings Bindings { get; } = new();

    public SipRegistrar Registrar { get; }

    /// <summary>The web login path over the same directory and throttle.</summary>
    public Authenticator WebLogin() => new(Directory, Throttle, new SignedLinkChecker(Security), Failures, Time,
        NullLogger<Authenticator>.Instance, new PbxIdentity(Domain));

    public Phone NewPhone(string user = "100", string password = SipPassword100, SipFlow? flow = null, string host = Domain) =>
        new(this, user, password, flow ?? Udp, host);
}

/// <summary>A phone's side of registration: one Call-ID, counting CSeq, answering challenges with the core's <see cref="DigestClient"/>.</summary>
internal sealed class Phone(RegistrarHarness harness, string user, string password, SipFlow flow, string host)
{
    private readonly string _user = user;
    private uint _nc;

    public string CallId { get; } = SipIds.NewCallId("192.0.2.10");

    public uint CSeq { get; set; }

    public string Username { get; set; } = user;

    public DigestAlgorithm Algorithm { get; set; } = DigestAlgorithm.Sha256;

    public string RequestUri => $"sip:{host}";

    /// <summary>Headers every REGISTER of this phone carries besides its own (a proxy's Path, say).</summary>
    public List<(string Name, string Value)> ExtraHeaders { get; } = [];

    /// <summary>A REGISTER of this phone; <paramref name="contacts"/> are whole Contact values, null sends none.</summary>
    public SipRequest Build(string[]? contacts, uint? expires = null, DigestCredentials? credentials = null)
    {
        var b = SipMessageBuilder.Request(SipMethod.Register, RequestUri)
            .AddHeader("Via", SipVia.Format("UDP", "192.0.2.10:5070", SipIds.NewBranch()))
            .AddHeader("Max-Forwards", "70")
            .AddHeader("To", $"<sip:{_user}@{host}>")
            .AddHeader("From", $"<sip:{_user}@{host}>;tag={SipIds.NewTag()}")
            .AddHeader("Call-ID", CallId)
            .AddHeader("CSeq", $"{++CSeq} REGISTER")
            .AddHeader("User-Agent", "TestPhone/1.0");
        foreach (var (name, value) in ExtraHeaders)
        {
            b.AddHeader(name, value);
        }

        foreach (var c in contacts ?? [])
        {
            b.AddHeader("Contact", c);
        }

        if (expires is { } e)
        {
            b.AddHeader("Expires", e.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (credentials is not null)
        {
            b.AddHeader("Authorization", credentials.ToHeaderValue());
        }

        return b.BuildRequest();
    }

    public Task<SipResponse> SendAsync(SipRequest request) => harness.Registrar.HandleRegisterAsync(request, flow, CancellationToken.None);

    /// <summary>REGISTER, expect 401, answer it; the final response.</summary>
    public async Task<SipResponse> RegisterAsync(string[]? contacts, uint? expires = null, string? withPassword = null)
    {
        var challenge = await SendAsync(Build(contacts, expires));
        Assert.Equal(401, challenge.StatusCode);
        return await AnswerAsync(challenge, contacts, expires, withPassword);
    }

    public Task<SipResponse> AnswerAsync(SipResponse challenge, string[]? contacts, uint? expires = null, string? withPassword = null)
    {
        var offered = challenge.GetDigestChallenges(proxy: false).First(c => c.Algorithm == Algorithm);
        var credentials = DigestClient.Answer(offered, Username, withPassword ?? password, "REGISTER", RequestUri, SipIds.NewTag(), ++_nc);
        return SendAsync(Build(contacts, expires, credentials));
    }
}
