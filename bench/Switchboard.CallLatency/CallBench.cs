using Switchboard.Server.Hosting;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Switchboard.Pbx.Media;
using Switchboard.Pbx.Services;
using Switchboard.Server;
using Switchboard.Web.Hosting;

namespace Switchboard.CallLatency;

/// <summary>One call's outcome. Latencies in milliseconds; <see cref="Error"/> is null for a good call.</summary>
internal sealed record CallResult(int Number, bool Warmup, double? PbxMs, double? BrowserMs, int? PacketsAtFirstSight, string? Error)
{
    /// <summary>The call's set-up marks from its record, when it has them.</summary>
    public CallMarks? Marks { get; init; }
}

/// <summary>
/// An in-process PBX on loopback, one extension, one headless Chromium (Debian's) with one context whose
/// opener page, on another origin, opens makecall.htm popups as the CRM links do (as in the end-to-end tests).
/// </summary>
internal sealed class CallBench : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private const string Domain = "demo.local";
    private const string Extension = "300";
    private const string OpenerUrl = "https://crm.example/contacts";
    private const int PollMs = 5;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(15);

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
    ];

    /// <summary>
    /// In every page: keep the peer connections, stamp <c>performance.now()</c> when the page hands the offer
    /// (<c>{"type":"call",...}</c>) to the WebSocket, then poll <c>getStats()</c> every few ms until the
    /// inbound audio stream has packetsReceived > 0, and stamp that too.
    /// </summary>
    private const string Probe = """
        (() => {
          window.__pcs = [];
          window.__offerAt = null;
          window.__firstInbound = null;
          const Native = window.RTCPeerConnection;
          if (Native) {
            const Wrapped = function (...args) { const pc = new Native(...args); window.__pcs.push(pc); return pc; };
            Wrapped.prototype = Native.prototype;
            window.RTCPeerConnection = Wrapped;
          }
          const poll = async (until) => {
            const pc = window.__pcs[0];
            if (!pc || performance.now() > until || pc.connectionState === 'closed') return;
            const stats = await pc.getStats();
            for (const s of stats.values()) {
              if (s.type === 'inbound-rtp' && s.kind === 'audio' && (s.packetsReceived || 0) > 0) {
                window.__firstInbound = { at: performance.now(), packets: s.packetsReceived };
                return;
              }
            }
            setTimeout(() => poll(until), __POLL_MS__);
          };
          const send = WebSocket.prototype.send;
          WebSocket.prototype.send = function (data) {
            if (window.__offerAt === null && typeof data === 'string' && data.startsWith('{"type":"call"')) {
              window.__offerAt = performance.now();
              send.call(this, data);
              poll(window.__offerAt + 15000);
              return;
            }
            return send.call(this, data);
          };
        })();
        """;

    private readonly string _dataDirectory;
    private PbxHost? _host;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IBrowserContext? _context;
    private IPage? _opener;
    private string _password = "";
    private bool _loggedIn;

    public CallBench()
    {
        _dataDirectory = Path.Combine(Path.GetTempPath(), "sb-latency-" + Guid.NewGuid().ToString("N"));
    }

    public string BrowserVersion => _browser?.Version ?? "";

    private PbxHost Host => _host ?? throw new InvalidOperationException("Not started.");

    private IPage Opener => _opener ?? throw new InvalidOperationException("Not started.");

    public async Task StartAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_dataDirectory);
        _host = await PbxHost.StartAsync(new PbxHostOptions
        {
            DataDirectory = _dataDirectory,
            HttpPort = 0,
            HttpsPort = 0,
            Sip = SipHostOptions.Ephemeral,
            Console = TextWriter.Null,
            // Every request comes from 127.0.0.1: lift the per-address request budget.
            Web = new WebOptions { AuthRequestsPerMinute = 100_000 },
        }, ct);
        _password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        await _host.Admin.CreateExtensionAsync(Domain, Extension, "Bench", _password, "sip-" + _password, ct);

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 30_000,
        });
        _context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = ViewportSize.NoViewport,
            Locale = "en-US",
            Permissions = ["microphone"],
        });
        _context.SetDefaultTimeout((float)StepTimeout.TotalMilliseconds);
        await _context.AddInitScriptAsync(Probe.Replace("__POLL_MS__", PollMs.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        await _context.RouteAsync("https://crm.example/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html; charset=utf-8",
            Body = "<!doctype html><title>Contacts</title><p>Contacts</p>",
        }));
        _opener = await _context.NewPageAsync();
        await _opener.GotoAsync(OpenerUrl);
    }

    public MediaSetupStats Stats => Host.Services.GetRequiredService<MediaSetupStats>();

    /// <summary>One echo call, start to end; never throws for a call that goes wrong, but reports it.</summary>
    /// <param name="signedLink">Open a fresh signed link (the spec's MD5 formula, valid from now for 10 minutes) rather than the plain page with the remembered session.</param>
    public async Task<CallResult> CallAsync(int number, bool warmup, CancellationToken ct, bool signedLink = false)
    {
        IPage? popup = null;
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        double? pbxMs = null;
        double? browserMs = null;
        int? packets = null;
        double openToNav = 0;
        try
        {
            var stats = Stats;
            var samplesBefore = PbxSamples.ReadAll(stats);
            var knownRecords = (await Host.Admin.ListCallRecordsAsync(ct)).Select(r => r.CallId).ToHashSet(StringComparer.Ordinal);
            var echo = new ServiceOptions().EchoNumber;
            var url = signedLink
                ? (await Host.Admin.MakeSignedLinkAsync(Host.HttpUrl, Extension + "@" + Domain, echo, TimeProvider.System.GetUtcNow().ToUnixTimeSeconds(), 600, ct: ct)).ToString()
                : new Uri(Host.HttpUrl, "makecall.htm?destnumber=" + Uri.EscapeDataString(echo)).ToString();
            popup = await Opener.RunAndWaitForPopupAsync(
                () => Opener.EvaluateAsync("window.__openAt = performance.timeOrigin + performance.now(); window.open(" + JsonSerializer.Serialize(url) + ", '', 'width=230, height=300, left=200, location=0')"));
            popup.Close += (_, _) => closed.TrySetResult();

            // Both pages' clocks are the same wall clock: window.open in the opener -> the popup's navigation start.
            openToNav = await popup.EvaluateAsync<double>("() => performance.timeOrigin") - await Opener.EvaluateAsync<double>("() => window.__openAt");

            var state = await WaitForStateAsync(popup, "login", "connecting", "ringing", "connected", "failed", "ended");
            if (state == "login")
            {
                if (signedLink)
                {
                    return Failed("the signed link was not accepted: the popup asked for a login");
                }

                if (_loggedIn)
                {
                    return Failed("the remembered session was not used: the popup asked for a login again");
                }

                await popup.FillAsync("#account", Extension + "@" + Domain);
                await popup.FillAsync("#password", _password);
                await popup.SetCheckedAsync("#remember", true);
                await popup.ClickAsync("#login");
            }

            state = await WaitForStateAsync(popup, "connected", "failed", "ended");
            if (state != "connected")
            {
                return Failed($"the call ended as {state} ({await ReasonAsync(popup)})");
            }

            _loggedIn = true;
            var first = await popup.WaitForFunctionAsync(
                "() => window.__firstInbound && window.__offerAt !== null ? { ms: window.__firstInbound.at - window.__offerAt, packets: window.__firstInbound.packets } : null",
                null, new() { Timeout = (float)StepTimeout.TotalMilliseconds });
            var sight = await first.JsonValueAsync<JsonElement>();
            browserMs = sight.GetProperty("ms").GetDouble();
            packets = sight.GetProperty("packets").GetInt32();
            var load = await LoadTiming.ReadAsync(popup);

            // The PBX records its figure on the call's own loop, just after the first SRTP packet went out.
            var start = Stopwatch.GetTimestamp();
            while (stats.Count <= samplesBefore.Length && Stopwatch.GetElapsedTime(start) < StepTimeout)
            {
                await Task.Delay(10, ct);
            }

            pbxMs = PbxSamples.Added(samplesBefore, PbxSamples.ReadAll(stats));
            if (pbxMs is null)
            {
                return Failed($"the PBX recorded {stats.Count - samplesBefore.Length} set-up samples for this call, not 1");
            }

            await popup.ClickAsync("#hangup");
            state = await WaitForStateAsync(popup, "ended", "failed");
            var reason = await ReasonAsync(popup);
            if (state != "ended" || reason != "hangup")
            {
                return Failed($"hang-up ended the call as {state} ({reason})");
            }

            var record = await WaitForNewRecordAsync(knownRecords, ct);
            if (record is null)
            {
                return Failed("no call record was written within " + StepTimeout.TotalSeconds + " s");
            }

            if (record.Destination != new ServiceOptions().EchoNumber || record.AnsweredAt is null || record.Reason != "hangup" || record.EndedBy != "caller")
            {
                return Failed($"unexpected call record: reason {record.Reason}, ended by {record.EndedBy}, answered {record.AnsweredAt is not null}");
            }

            // The page closes itself 1.5 s after `ended`.
            await closed.Task.WaitAsync(StepTimeout, ct);
            return new CallResult(number, warmup, pbxMs, browserMs, packets, null)
            {
                Marks = CallMarks.From(record.Phases, openToNav, load),
            };
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or InvalidOperationException)
        {
            return Failed(ex.GetType().Name + ": " + FirstLine(ex.Message));
        }
        finally
        {
            if (popup is not null && !popup.IsClosed)
            {
                await popup.CloseAsync();
            }
        }

        CallResult Failed(string error) => new(number, warmup, pbxMs, browserMs, packets, error);
    }

    private static async Task<string> WaitForStateAsync(IPage popup, params string[] wanted)
    {
        var handle = await popup.WaitForFunctionAsync(
            "(wanted) => { const s = document.body && document.body.dataset.state; return wanted.includes(s) ? s : null; }",
            wanted, new() { Timeout = (float)StepTimeout.TotalMilliseconds, PollingInterval = 5 });
        return await handle.JsonValueAsync<string>();
    }

    private static async Task<string> ReasonAsync(IPage popup) =>
        await popup.EvaluateAsync<string>("() => document.body.dataset.reason || ''");

    /// <summary>The one call record that is not among <paramref name="known"/> (calls are sequential), bounded.</summary>
    private async Task<Switchboard.Pbx.Calls.CallRecord?> WaitForNewRecordAsync(HashSet<string> known, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < StepTimeout)
        {
            var found = (await Host.Admin.ListCallRecordsAsync(ct)).FirstOrDefault(r => !known.Contains(r.CallId));
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(50, ct);
        }

        return null;
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_context is not null) await _context.CloseAsync();
            if (_browser is not null) await _browser.CloseAsync();
            _playwright?.Dispose();
            if (_host is not null) await _host.DisposeAsync();
        }
        finally
        {
            try
            {
                if (Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // a file still held open by a stopping host: the OS cleans the temp dir later
            }
        }
    }
}
