using Switchboard.Server.Hosting;
using Microsoft.Playwright;
using Switchboard.Server;
using Switchboard.Web.Hosting;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// One headless Chromium (the system's, never a downloaded one) and one in-process PBX for a test
/// collection. Each test makes its own browser context, and its own extensions where lockouts or
/// sessions could leak between tests.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string Domain = "demo.local";

    /// <summary>Seeded by <see cref="PbxHostOptions.SeedDemo"/>: an extension with no phone registered.</summary>
    public const string ReachableButIdle = "101";

    /// <summary>The flags design/TEST-PEERS.md found to work; a test that needs its own browser adds to them.</summary>
    internal static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
    ];

    private int nextExtension = 200;
    private IPlaywright? playwright;
    private string? dataDirectory;

    public IBrowser Browser { get; private set; } = null!;
    public PbxHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(6000);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 30_000,
        });
        dataDirectory = NewDataDirectory();
        Host = await StartHostAsync(dataDirectory, addressFailureLimit: 1000);
    }

    public async Task DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
        if (Browser is not null) await Browser.CloseAsync();
        playwright?.Dispose();
        TryDelete(dataDirectory);
    }

    public static string NewDataDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sb-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void TryDelete(string? dir)
    {
        try
        {
            if (dir is not null && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open by a stopping host: the temp dir is cleaned by the OS later
        }
    }

    /// <param name="store">A PostgreSQL connection string for a node of several (docs/scale-out.md); null: the SQLite default.</param>
    /// <param name="redis">The Redis the nodes share; null: none.</param>
    /// <param name="sip">The SIP listeners; null: every one on a free port, the bind address as sent-by.</param>
    public static Task<PbxHost> StartHostAsync(string dataDirectory, int addressFailureLimit, int accountFailureLimit = 5, Switchboard.Pbx.Services.ServiceOptions? services = null,
        WebOptions? web = null, string? store = null, string? redis = null, SipHostOptions? sip = null) =>
        PbxHost.StartAsync(new PbxHostOptions
        {
            DataDirectory = dataDirectory,
            HttpPort = 0,
            HttpsPort = 0,
            Sip = sip ?? SipHostOptions.Ephemeral,
            Console = TextWriter.Null,
            Security = new() { AddressFailureLimit = addressFailureLimit, AccountFailureLimit = accountFailureLimit },
            // Every test's requests come from 127.0.0.1: lift the per-address request budget, not the lockouts.
            Web = (web ?? new WebOptions()) with { AuthRequestsPerMinute = 100_000 },
            Services = services ?? new(),
            LoggerProviders = [RecentPbxLog.Instance],
            Store = store,
            Redis = redis,
        });

    /// <summary>A fresh extension in <see cref="Domain"/> with a known web password.</summary>
    public Task<TestAccount> NewExtensionAsync() => NewExtensionAsync(Host);

    public async Task<TestAccount> NewExtensionAsync(PbxHost host)
    {
        var number = Interlocked.Increment(ref nextExtension).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        await host.Admin.CreateExtensionAsync(Domain, number, "Test " + number, password, "sip-" + password);
        return new TestAccount(number, number + "@" + Domain, password);
    }
}

public sealed record TestAccount(string Number, string Account, string Password);

[CollectionDefinition(Name)]
public sealed class PopupGroup : ICollectionFixture<BrowserFixture>
{
    public const string Name = "popup";
}
