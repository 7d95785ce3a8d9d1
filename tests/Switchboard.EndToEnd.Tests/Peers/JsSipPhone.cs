using System.Text.Json;
using Microsoft.Playwright;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>Inbound RTP audio of the phone's call, from the browser's <c>getStats()</c>.</summary>
public sealed record InboundAudio(double AudioLevel, double TotalAudioEnergy, long PacketsReceived);

/// <summary>
/// A browser softphone: JsSIP 3.13 over SIP-over-WebSocket in a Chromium page (Peers/jssip-phone.html),
/// registering one extension and auto-answering every call with Chromium's fake microphone.
/// The page is served as <c>http://localhost/jssip-phone.html</c> through a Playwright route, so it is a
/// secure context (getUserMedia) without a server of its own.
/// </summary>
public sealed class JsSipPhone : IAsyncDisposable
{
    public const string PageUrl = Origin + "/jssip-phone.html";
    private const string Origin = "http://localhost";
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private readonly IBrowserContext? ownedContext;

    private JsSipPhone(IPage page, IBrowserContext? ownedContext)
    {
        Page = page;
        this.ownedContext = ownedContext;
    }

    public IPage Page { get; }

    /// <summary>Starts a phone in a context of its own, with the microphone granted.</summary>
    public static async Task<JsSipPhone> StartAsync(IBrowser browser, string wsUrl, string extension, string domain, string password)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Permissions = ["microphone"] });
        try
        {
            return await StartAsync(context, wsUrl, extension, domain, password, ownsContext: true);
        }
        catch
        {
            await context.CloseAsync();
            throw;
        }
    }

    /// <summary>Starts a phone in a new page of <paramref name="context"/>, which the caller keeps owning.</summary>
    public static Task<JsSipPhone> StartAsync(IBrowserContext context, string wsUrl, string extension, string domain, string password) =>
        StartAsync(context, wsUrl, extension, domain, password, ownsContext: false);

    private static async Task<JsSipPhone> StartAsync(IBrowserContext context, string wsUrl, string extension, string domain, string password, bool ownsContext)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.GrantPermissionsAsync(["microphone", "local-network-access"], new BrowserContextGrantPermissionsOptions { Origin = Origin });
        var page = await context.NewPageAsync();
        await page.RouteAsync(Origin + "/*", ServeFromOutputAsync);
        await page.GotoAsync(PageUrl);
        await page.EvaluateAsync("cfg => window.phone.start(cfg)", new { wsUrl, uri = $"sip:{extension}@{domain}", password });
        return new JsSipPhone(page, ownsContext ? context : null);
    }

    public async Task WaitRegisteredAsync(TimeSpan? timeout = null)
    {
        await WaitForAsync("() => window.phone.registered || window.phone.registrationFailed !== null", timeout, "registration");
        var failed = await Page.EvaluateAsync<string?>("() => window.phone.registrationFailed");
        if (failed is not null) throw new InvalidOperationException("JsSIP registration failed: " + failed);
    }

    /// <summary>Waits until the current call reaches <paramref name="state"/>: progress, accepted, confirmed, ended or failed.</summary>
    public Task WaitCallStateAsync(string state, TimeSpan? timeout = null) =>
        WaitForAsync($"() => window.phone.callStates.includes({JsonSerializer.Serialize(state)})", timeout, "call state " + state);

    /// <summary>Waits until the WebSocket transport has been lost (or failed to connect) at least once.</summary>
    public Task WaitDisconnectedAsync(TimeSpan? timeout = null) =>
        WaitForAsync("() => window.phone.disconnected !== null", timeout, "a transport disconnect");

    public async Task<InboundAudio> InboundAudioLevelAsync()
    {
        var stats = await Page.EvaluateAsync<JsonElement>("() => window.phone.audioLevel()");
        return new InboundAudio(
            stats.GetProperty("audioLevel").GetDouble(),
            stats.GetProperty("totalAudioEnergy").GetDouble(),
            stats.GetProperty("packetsReceived").GetInt64());
    }

    /// <summary>Chromium's view of the call's transport (ICE pairs, DTLS state, bytes each way), for failure messages.</summary>
    public Task<string> TransportAsync() => Page.EvaluateAsync<string>("() => window.phone.transport()");

    /// <summary>A copy of <c>window.phone</c>'s plain fields, for assertions and failure messages.</summary>
    public async Task<JsonElement> StateAsync() =>
        await Page.EvaluateAsync<JsonElement>(
            "() => { const { ua, session, ...plain } = window.phone; return JSON.parse(JSON.stringify(plain)); }");

    public Task CallAsync(string target) => Page.EvaluateAsync("t => window.phone.call(t)", target);

    public Task HangupAsync() => Page.EvaluateAsync("() => window.phone.hangup()");

    /// <summary>Sends RFC 4733 telephone-events through the call's RTCRtpSender.</summary>
    public Task SendDtmfAsync(string tones) => Page.EvaluateAsync("t => window.phone.sendDtmf(t)", tones);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Page.EvaluateAsync("() => window.phone.stop()");
        }
        catch (PlaywrightException)
        {
            // the page or browser is already closing
        }

        await Page.CloseAsync();
        if (ownedContext is not null) await ownedContext.CloseAsync();
    }

    private async Task WaitForAsync(string condition, TimeSpan? timeout, string what)
    {
        try
        {
            await Page.WaitForFunctionAsync(condition, null, new PageWaitForFunctionOptions
            {
                Timeout = (float)(timeout ?? DefaultWait).TotalMilliseconds,
                PollingInterval = 50,
            });
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"JsSIP phone: no {what}; phone: {await StateAsync()}", e);
        }
    }

    /// <summary>Serves the page and jssip.min.js from the test output's Peers folder.</summary>
    private static async Task ServeFromOutputAsync(IRoute route)
    {
        var name = Path.GetFileName(new Uri(route.Request.Url).AbsolutePath);
        var path = Path.Combine(AppContext.BaseDirectory, "Peers", name);
        if (!File.Exists(path))
        {
            await route.FulfillAsync(new RouteFulfillOptions { Status = 404, Body = name + " is not in the test output (run scripts/install-test-deps.sh, then build)" });
            return;
        }

        var type = name.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript" : "text/html";
        await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = type, BodyBytes = await File.ReadAllBytesAsync(path) });
    }
}
