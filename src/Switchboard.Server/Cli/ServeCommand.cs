using System.CommandLine;
using System.Net;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Security;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Services;
using Switchboard.Server.Hosting;
using Switchboard.Storage;
using Switchboard.Web.Hosting;

namespace Switchboard.Server.Cli;

/// <summary><c>serve</c>: run the PBX (also what the executable does with no verb).</summary>
internal static class ServeCommand
{
    private static readonly Option<string> Bind = new("--bind") { Description = "Address the web ports listen on (0.0.0.0 for every interface)", DefaultValueFactory = _ => "127.0.0.1" };
    private static readonly Option<int> HttpPort = new("--http-port") { Description = "HTTP port", DefaultValueFactory = _ => 8080 };
    private static readonly Option<int> HttpsPort = new("--https-port") { Description = "HTTPS port", DefaultValueFactory = _ => 8443 };
    private static readonly Option<string?> Cert = new("--cert") { Description = "Your own certificate: a PEM file (with --cert-key) or a PFX file" };
    private static readonly Option<string?> CertKey = new("--cert-key") { Description = "The PEM private key of --cert" };
    private static readonly Option<string?> CertPassword = new("--cert-password") { Description = "The PFX password of --cert (or $SWITCHBOARD_CERT_PASSWORD)" };
    private static readonly Option<bool> NoDemo = new("--no-demo") { Description = "Do not create the demo domain and extensions on first start" };
    private static readonly Option<string?> DemoPassword = new("--demo-password") { Description = "Web password for the demo extensions (default: random, printed once; or $SWITCHBOARD_DEMO_PASSWORD)" };
    private static readonly Option<string?> MediaBind = new("--media-bind") { Description = "Address the UDP media ports bind to (default: --bind)" };
    private static readonly Option<string?> MediaAdvertise = new("--media-advertise") { Description = "Address written in SDP answers: the public address behind a 1:1 NAT" };
    private static readonly Option<string> MediaPorts = new("--media-ports") { Description = "UDP port range for media, MIN-MAX", DefaultValueFactory = _ => "40000-40999" };
    private static readonly Option<int> MediaPortQuarantine = new("--media-port-quarantine") { Description = "Seconds a media port a call gave back stays parked before another call gets it (so a phone still sending to it cannot take the new call)", DefaultValueFactory = _ => 10 };
    private static readonly Option<int> MediaShardCount = new("--media-shards") { Description = "Media loops (threads) that own the calls' media, each an epoll set (default: one per core)", DefaultValueFactory = _ => Environment.ProcessorCount };
    private static readonly Option<string> EchoNumber = new("--echo-number") { Description = "Number of the echo test", DefaultValueFactory = _ => "*43" };
    private static readonly Option<string> DtmfTestNumber = new("--dtmf-test-number") { Description = "Number of the DTMF test", DefaultValueFactory = _ => "*44" };
    private static readonly Option<int> DtmfTestHangup = new("--dtmf-test-hangup") { Description = "Seconds after which the DTMF test hangs up by itself (0: never)", DefaultValueFactory = _ => 0 };
    private static readonly Option<int> SipUdpPort = new("--sip-udp-port") { Description = "SIP over UDP port (-1: off)", DefaultValueFactory = _ => 5060 };
    private static readonly Option<int> SipTcpPort = new("--sip-tcp-port") { Description = "SIP over TCP port (-1: off)", DefaultValueFactory = _ => 5060 };
    private static readonly Option<int> SipTlsPort = new("--sip-tls-port") { Description = "SIP over TLS port, with the web certificate (-1: off)", DefaultValueFactory = _ => 5061 };
    private static readonly Option<string?> SipAdvertise = new("--sip-advertise") { Description = "Host written in SIP Via and Contact: the PBX's public name or address (default: --bind)" };
    private static readonly Option<int> SipFloodRate = new("--sip-flood-rate") { Description = "SIP requests one address (IPv6: one /64) may send per --sip-flood-window before its requests are dropped (0: no limit)", DefaultValueFactory = _ => new SipFloodOptions().Rate };
    private static readonly Option<double> SipFloodWindow = new("--sip-flood-window") { Description = "Seconds over which --sip-flood-rate is counted; a block lasts at least this long", DefaultValueFactory = _ => new SipFloodOptions().Window.TotalSeconds };
    private static readonly Option<string?> SipFloodExempt = new("--sip-flood-exempt") { Description = "Comma-separated addresses or networks (CIDR) never limited, e.g. an office's NAT address; trunk proxies always are" };
    private static readonly Option<int> RingTimeout = new("--ring-timeout") { Description = "Seconds a call to an extension rings before it ends as no answer", DefaultValueFactory = _ => 30 };
    private static readonly Option<int> RtpTimeout = new("--rtp-timeout") { Description = "Seconds without RTP from a phone, after it had flowed, before its call ends as media_timeout", DefaultValueFactory = _ => 60 };
    private static readonly Option<int> CdrRetentionDays = new("--cdr-retention-days") { Description = "Days call records are kept; an hourly purge deletes older ones (0: keep for ever)", DefaultValueFactory = _ => 365 };
    private static readonly Option<int> RecordFlush = new("--record-flush") { Description = "Milliseconds call records are collected before one transaction writes them; a kill -9 loses at most this much (0: write at once)", DefaultValueFactory = _ => 200 };
    private static readonly Option<string?> Redis = new("--redis")
    {
        Description = "Redis the PBX nodes share for lockouts and call limits, as a StackExchange.Redis configuration (127.0.0.1:6379,password=...). Default: $SWITCHBOARD_REDIS, or none (one node)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SWITCHBOARD_REDIS") is { Length: > 0 } env ? env : null,
    };
    private static readonly Option<int> MaxLinkDuration = new("--max-link-duration") { Description = "Longest validity a signed link may claim, in seconds", DefaultValueFactory = _ => 7200 };
    private static readonly Option<int> MaxTokenLifetime = new("--max-token-lifetime") { Description = "Longest ttl of a call token minted with an API key, and its default, in seconds", DefaultValueFactory = _ => 600 };
    private static readonly Option<int> TokenMintsPerKey = new("--token-mints-per-key") { Description = "Call tokens one API key may mint per minute", DefaultValueFactory = _ => new WebOptions().TokenMintsPerKeyPerMinute };
    private static readonly Option<int> TokenRequestsPerMinute = new("--token-requests-per-minute") { Description = "Requests to POST /api/tokens one client address may make per minute, before its key is looked at", DefaultValueFactory = _ => new WebOptions().TokenRequestsPerMinute };
    private static readonly Option<string?> PublicUrl = new("--public-url") { Description = "The PBX's address as website visitors reach it, for the url POST /api/tokens returns (default: the address the request came to)" };

    public static void AddTo(RootCommand root)
    {
        var serve = new Command("serve", "Start the PBX: web popup, API and call signalling");
        foreach (var option in Options)
        {
            serve.Options.Add(option);
            root.Options.Add(option);
        }

        serve.SetAction(RunAsync);
        root.SetAction(RunAsync);
        root.Subcommands.Add(serve);
    }

    private static IEnumerable<Option> Options =>
        [Bind, Redis, HttpPort, HttpsPort, Cert, CertKey, CertPassword, NoDemo, DemoPassword, MaxLinkDuration, MaxTokenLifetime, TokenMintsPerKey, TokenRequestsPerMinute, PublicUrl, MediaBind, MediaAdvertise, MediaPorts, MediaPortQuarantine, MediaShardCount, EchoNumber, DtmfTestNumber, DtmfTestHangup,
         SipUdpPort, SipTcpPort, SipTlsPort, SipAdvertise, SipFloodRate, SipFloodWindow, SipFloodExempt, RingTimeout, RtpTimeout, CdrRetentionDays, RecordFlush];

    private static async Task<int> RunAsync(ParseResult result, CancellationToken ct)
    {
        var range = result.GetValue(MediaPorts)!.Split('-');
        if (range.Length != 2 || !int.TryParse(range[0], out var portMin) || !int.TryParse(range[1], out var portMax) ||
            !IPAddress.TryParse(result.GetValue(MediaBind) ?? result.GetValue(Bind), out var mediaBind))
        {
            Console.Error.WriteLine("--media-ports must be MIN-MAX and --media-bind an IP address.");
            return 1;
        }

        Uri? publicUrl = null;
        if (result.GetValue(PublicUrl) is { } publicText &&
            (!Uri.TryCreate(publicText.EndsWith('/') ? publicText : publicText + "/", UriKind.Absolute, out publicUrl) || publicUrl.Scheme is not ("http" or "https")))
        {
            Console.Error.WriteLine("--public-url must be an absolute http or https URL, e.g. https://pbx.example.com/");
            return 1;
        }

        IPAddress? advertise = null;
        if (result.GetValue(MediaAdvertise) is { } text && !IPAddress.TryParse(text, out advertise))
        {
            Console.Error.WriteLine("--media-advertise must be an IP address.");
            return 1;
        }

        if (!TryParseNetworks(result.GetValue(SipFloodExempt), out var exempt) || result.GetValue(SipFloodWindow) is not (> 0 and <= 3600))
        {
            Console.Error.WriteLine("--sip-flood-exempt must be addresses or networks like 192.0.2.0/24, and --sip-flood-window 0-3600 seconds.");
            return 1;
        }

        var hangup = result.GetValue(DtmfTestHangup);
        var options = new PbxHostOptions
        {
            DataDirectory = result.GetValue(CommonOptions.Data)!,
            Store = result.GetValue(CommonOptions.Store),
            Redis = result.GetValue(Redis),
            DefaultDomain = result.GetValue(CommonOptions.DefaultDomain)!,
            BindAddress = result.GetValue(Bind)!,
            HttpPort = result.GetValue(HttpPort),
            HttpsPort = result.GetValue(HttpsPort),
            CertificatePath = result.GetValue(Cert),
            CertificateKeyPath = result.GetValue(CertKey),
            CertificatePassword = result.GetValue(CertPassword) ?? Environment.GetEnvironmentVariable("SWITCHBOARD_CERT_PASSWORD"),
            SeedDemo = !result.GetValue(NoDemo),
            DemoWebPassword = result.GetValue(DemoPassword) ?? Environment.GetEnvironmentVariable("SWITCHBOARD_DEMO_PASSWORD"),
            CallRecordRetention = TimeSpan.FromDays(Math.Max(0, result.GetValue(CdrRetentionDays))),
            CallRecords = new CallRecordBatching { FlushInterval = TimeSpan.FromMilliseconds(Math.Max(0, result.GetValue(RecordFlush))) },
            Security = new SecurityOptions
            {
                MaxLinkDuration = TimeSpan.FromSeconds(result.GetValue(MaxLinkDuration)),
                MaxTokenLifetime = TimeSpan.FromSeconds(Math.Max(1, result.GetValue(MaxTokenLifetime))),
            },
            Web = new WebOptions
            {
                TokenMintsPerKeyPerMinute = Math.Max(1, result.GetValue(TokenMintsPerKey)),
                TokenRequestsPerMinute = Math.Max(1, result.GetValue(TokenRequestsPerMinute)),
                PublicUrl = publicUrl,
            },
            Media = new MediaOptions
            {
                BindAddress = mediaBind, AdvertisedAddress = advertise, PortMin = portMin, PortMax = portMax,
                PortQuarantine = TimeSpan.FromSeconds(Math.Max(0, result.GetValue(MediaPortQuarantine))),
            },
            MediaShards = Math.Max(1, result.GetValue(MediaShardCount)),
            Services = new ServiceOptions
            {
                EchoNumber = result.GetValue(EchoNumber)!,
                DtmfTestNumber = result.GetValue(DtmfTestNumber)!,
                DtmfTestHangupAfter = hangup > 0 ? TimeSpan.FromSeconds(hangup) : null,
            },
            Sip = new SipHostOptions
            {
                UdpPort = PortOrOff(result.GetValue(SipUdpPort)),
                TcpPort = PortOrOff(result.GetValue(SipTcpPort)),
                TlsPort = PortOrOff(result.GetValue(SipTlsPort)),
                AdvertisedHost = result.GetValue(SipAdvertise),
                Flood = new SipFloodOptions
                {
                    Rate = Math.Max(0, result.GetValue(SipFloodRate)),
                    Window = TimeSpan.FromSeconds(result.GetValue(SipFloodWindow)),
                    Exempt = exempt,
                },
                Calls = new CallOptions
                {
                    RingTimeout = TimeSpan.FromSeconds(Math.Max(1, result.GetValue(RingTimeout))),
                    RtpTimeout = TimeSpan.FromSeconds(Math.Max(1, result.GetValue(RtpTimeout))),
                },
            },
            Console = Console.Out,
        };

        await using var host = await PbxHost.StartAsync(options, ct);
        using var pidFile = NodePidFile.Write(options.DataDirectory);

        // SIGUSR1 (switchboard node drain): refuse new calls, stop when the last one ends; the signal does not stop us by itself.
        using var drainSignal = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            (System.Runtime.InteropServices.PosixSignal)NodePidFile.DrainSignal,
            context =>
            {
                context.Cancel = true;
                host.Drain();
            });
        Console.WriteLine($"Switchboard is running. Demo page: {host.HttpsUrl} (self-signed certificate unless --cert) or {host.HttpUrl}");
        Console.WriteLine($"SIP: UDP {Show(host.SipUdpPort)}, TCP {Show(host.SipTcpPort)}, TLS {Show(host.SipTlsPort)}, WebSocket {host.HttpUrl}sip and wss on the HTTPS port");
        Console.WriteLine("Press Ctrl+C to stop.");
        await host.WaitForShutdownAsync(ct);
        return 0;
    }

    /// <summary>"a, b/n, ...": a bare address is a network of one.</summary>
    private static bool TryParseNetworks(string? text, out IReadOnlyList<IPNetwork> networks)
    {
        var list = new List<IPNetwork>();
        networks = list;
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(part, out var network))
            {
                list.Add(network);
            }
            else if (IPAddress.TryParse(part, out var address))
            {
                list.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    private static int? PortOrOff(int port) => port < 0 ? null : port;

    private static string Show(int? port) => port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "off";
}
