using System.CommandLine;
using Switchboard.Pbx.Security;

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
    private static readonly Option<int> MaxLinkDuration = new("--max-link-duration") { Description = "Longest validity a signed link may claim, in seconds", DefaultValueFactory = _ => 7200 };

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

    private static IEnumerable<Option> Options => [Bind, HttpPort, HttpsPort, Cert, CertKey, CertPassword, NoDemo, DemoPassword, MaxLinkDuration];

    private static async Task<int> RunAsync(ParseResult result, CancellationToken ct)
    {
        var options = new PbxHostOptions
        {
            DataDirectory = result.GetValue(CommonOptions.Data)!,
            DefaultDomain = result.GetValue(CommonOptions.DefaultDomain)!,
            BindAddress = result.GetValue(Bind)!,
            HttpPort = result.GetValue(HttpPort),
            HttpsPort = result.GetValue(HttpsPort),
            CertificatePath = result.GetValue(Cert),
            CertificateKeyPath = result.GetValue(CertKey),
            CertificatePassword = result.GetValue(CertPassword) ?? Environment.GetEnvironmentVariable("SWITCHBOARD_CERT_PASSWORD"),
            SeedDemo = !result.GetValue(NoDemo),
            DemoWebPassword = result.GetValue(DemoPassword) ?? Environment.GetEnvironmentVariable("SWITCHBOARD_DEMO_PASSWORD"),
            Security = new SecurityOptions { MaxLinkDuration = TimeSpan.FromSeconds(result.GetValue(MaxLinkDuration)) },
            Console = Console.Out,
        };

        await using var host = await PbxHost.StartAsync(options, ct);
        Console.WriteLine($"Switchboard is running. Demo page: {host.HttpsUrl} (self-signed certificate unless --cert) or {host.HttpUrl}");
        Console.WriteLine("Press Ctrl+C to stop.");
        await host.WaitForShutdownAsync(ct);
        return 0;
    }
}
