using System.Text.Json;
using Microsoft.Playwright;
using Switchboard.Server;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// A browser context with an opener page on another site (a CRM, served by the test itself), which
/// opens makecall.htm popups exactly as the seed's links do. Every page of the context records its <c>data-state</c> history,
/// CSP violations and peer connections, and by default only counts <c>window.close()</c> calls
/// (so a test can read a final state that would otherwise close within seconds).
/// </summary>
internal sealed class PopupBrowser : IAsyncDisposable
{
    public const int Width = 230;
    public const int Height = 300;

    private const string Recorder = """
        (() => {
          window.__states = [];
          window.__closeRequests = 0;
          window.__csp = [];
          window.__pcs = [];
          window.__tones = [];
          if (__STUB_CLOSE__) window.close = () => { window.__closeRequests++; };
          document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
          const Native = window.RTCPeerConnection;
          if (Native) {
            const Wrapped = function (...args) { const pc = new Native(...args); window.__pcs.push(pc); return pc; };
            Wrapped.prototype = Native.prototype;
            window.RTCPeerConnection = Wrapped;
          }
          const record = () => {
            const s = document.body && document.body.dataset.state;
            if (s && window.__states[window.__states.length - 1] !== s) window.__states.push(s);
          };
          new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
        })();
        """;

    /// <summary>
    /// The opener's site. It is another origin than the PBX's, as in real use; on the PBX's own origin
    /// Chromium would reuse the popup's initial about:blank window for makecall.htm, and init scripts
    /// would not run for the page.
    /// </summary>
    public const string OpenerUrl = "https://crm.example/contacts";

    private const string OpenerHtml = """
        <!doctype html><title>Contacts</title>
        <p>Contacts: <span id="john">John Smith</span></p>
        """;

    private readonly PbxHost host;

    private PopupBrowser(IBrowserContext context, IPage opener, PbxHost host)
    {
        Context = context;
        Opener = opener;
        this.host = host;
    }

    public IBrowserContext Context { get; }
    public IPage Opener { get; }

    /// <param name="fixedViewport">false: the popup's size comes from window.open's features, as in a real
    /// browser; true: the context forces a 230 x 300 viewport on every page.</param>
    public static async Task<PopupBrowser> CreateAsync(BrowserFixture fixture, PbxHost host, bool stubClose = true, bool fixedViewport = false, string? locale = null, bool acceptSelfSignedTls = false)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = fixedViewport ? new ViewportSize { Width = Width, Height = Height } : ViewportSize.NoViewport,
            Locale = locale ?? "en-US",
            Permissions = ["microphone"],
            IgnoreHTTPSErrors = acceptSelfSignedTls, // the PBX's own self-signed certificate, as a user accepts it once
        });
        context.SetDefaultTimeout(8000);
        await context.AddInitScriptAsync(Recorder.Replace("__STUB_CLOSE__", stubClose ? "true" : "false", StringComparison.Ordinal));
        await context.RouteAsync("https://crm.example/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html; charset=utf-8",
            Body = OpenerHtml,
        }));
        var opener = await context.NewPageAsync();
        await opener.GotoAsync(OpenerUrl);
        return new PopupBrowser(context, opener, host);
    }

    public static string PageUrl(PbxHost host, string query, bool https = false) =>
        new Uri(https ? host.HttpsUrl : host.HttpUrl, "makecall.htm" + query).ToString();

    /// <summary>Opens the popup the seed's way: <c>window.open(url, '', 'width=230, height=300, left=200, location=0')</c>.</summary>
    public async Task<IPage> OpenAsync(string url)
    {
        var literal = JsonSerializer.Serialize(url);
        var popup = await Opener.RunAndWaitForPopupAsync(
            () => Opener.EvaluateAsync("window.open(" + literal + ", '', 'width=230, height=300, left=200, location=0')"));
        await popup.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        return popup;
    }

    public Task<IPage> OpenAsync(PbxHost server, string query) => OpenAsync(PageUrl(server, query));

    /// <summary>Another tab, on the PBX's own origin (its demo page), for scripts that need that origin.</summary>
    public async Task<IPage> PbxTabAsync()
    {
        var page = await Context.NewPageAsync();
        await page.GotoAsync(host.HttpUrl.ToString());
        return page;
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}

internal static class PopupPage
{
    public static async Task ExpectStateAsync(this IPage popup, string state)
    {
        try
        {
            await Expect(popup.Locator("body")).ToHaveAttributeAsync("data-state", state);
        }
        catch (PlaywrightException ex)
        {
            // The page only says "error"; the PBX's log says which one.
            throw new PlaywrightException(ex.Message + "\nPBX log, last lines:\n" + RecentPbxLog.Instance.Tail(), ex);
        }
    }

    public static async Task ExpectStateAsync(this IPage popup, string state, string reason)
    {
        await popup.ExpectStateAsync(state);
        await Expect(popup.Locator("body")).ToHaveAttributeAsync("data-reason", reason);
    }

    /// <summary>
    /// Waits until the call's inbound RTP (Chromium's getStats) counts more than <paramref name="packets"/> packets with an
    /// audio level above silence: the far side's sound really plays in the popup.
    /// </summary>
    public static Task WaitForInboundAudioAsync(this IPage popup, int packets) =>
        popup.PollAsync("""
            async (min) => {
              const pc = window.__pcs[0];
              if (!pc) return false;
              const stats = await pc.getStats();
              for (const s of stats.values()) {
                if (s.type === 'inbound-rtp' && s.kind === 'audio') return (s.packetsReceived || 0) > min && (s.audioLevel || 0) > 0;
              }
              return false;
            }
            """, packets, TimeSpan.FromSeconds(15), $"more than {packets} inbound audio packets with sound");

    /// <summary>
    /// Evaluates an async page function every 250 ms until it returns true, failing after <paramref name="timeout"/>.
    /// Playwright's WaitForFunctionAsync cannot do this: it takes the promise an async predicate returns as truthy at once
    /// (microsoft/playwright#29132, "the predicate is supposed to be sync by design"), so such a wait never fails.
    /// </summary>
    public static async Task PollAsync(this IPage popup, string asyncPredicate, object? arg, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await popup.EvaluateAsync<bool>(asyncPredicate, arg))
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Not within {timeout.TotalSeconds:0} s: {what}.\nPBX log, last lines:\n{RecentPbxLog.Instance.Tail()}");
            }

            await Task.Delay(250);
        }
    }

    public static Task<string[]> StatesAsync(this IPage popup) => popup.EvaluateAsync<string[]>("() => window.__states.slice()");

    public static async Task<string> StatusAsync(this IPage popup) => (await popup.Locator("#status").TextContentAsync() ?? "").Trim();

    public static async Task LoginAsync(this IPage popup, TestAccount account, bool remember, string? password = null)
    {
        await popup.ExpectStateAsync("login");
        await popup.FillAsync("#account", account.Account);
        await popup.FillAsync("#password", password ?? account.Password);
        await popup.SetCheckedAsync("#remember", remember);
        await popup.ClickAsync("#login");
    }

    /// <summary>A call was placed and reached the PBX, which found nothing to ring (this issue has no media yet).</summary>
    public static async Task ExpectCallAttemptAsync(this IPage popup, string reason = "unavailable")
    {
        await popup.ExpectStateAsync("failed", reason);
        var states = await popup.StatesAsync();
        Assert.Contains("connecting", states);
        Assert.NotEmpty(await popup.StatusAsync());
    }

    /// <summary>The page ended in <paramref name="state"/> with <paramref name="reason"/>, a message, and never tried to call.</summary>
    public static async Task ExpectNoCallAsync(this IPage popup, string state, string reason)
    {
        await popup.ExpectStateAsync(state, reason);
        Assert.NotEmpty(await popup.StatusAsync());
        var states = await popup.StatesAsync();
        Assert.DoesNotContain("connecting", states);
        Assert.Equal(0, await popup.EvaluateAsync<int>("() => window.__pcs.length"));
    }
}
