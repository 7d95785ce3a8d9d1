using Microsoft.Playwright;
using Switchboard.EndToEnd.Tests.Peers;
using Switchboard.Pbx.Services;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// The browser's network changes during a call (docs/signalling.md, "Network changes"): the old media path fails,
/// or the call socket drops, and the call goes on with audio, in a real Chromium against the echo test.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class NetworkChangeTests(BrowserFixture fixture)
{
    /// <summary>Records the page's call sockets, so a test can close one from the page's side.</summary>
    private const string SocketRecorder = """
        (() => {
          window.__sockets = [];
          const Native = window.WebSocket;
          window.WebSocket = class extends Native {
            constructor(...args) { super(...args); window.__sockets.push(this); }
          };
        })();
        """;

    private const string InboundPackets = """
        async () => {
          const stats = await window.__pcs[0].getStats();
          for (const s of stats.values()) {
            if (s.type === 'inbound-rtp' && s.kind === 'audio') return s.packetsReceived || 0;
          }
          return 0;
        }
        """;

    /// <summary>The selected ICE pair as "browser port:PBX port", from Chromium's own stats.</summary>
    private const string SelectedPair = """
        async () => {
          const stats = await window.__pcs[0].getStats();
          let id = null;
          for (const s of stats.values()) {
            if (s.type === 'transport' && s.selectedCandidatePairId) id = s.selectedCandidatePairId;
          }
          const pair = id && stats.get(id);
          if (!pair) return '';
          return stats.get(pair.localCandidateId).port + ':' + stats.get(pair.remoteCandidateId).port;
        }
        """;

    private static readonly string Echo = new ServiceOptions().EchoNumber;

    [PrivateNetworkFact]
    public async Task When_the_old_media_path_fails_the_page_restarts_ice_and_the_echo_goes_on()
    {
        var (browser, popup, account) = await EchoCallAsync(recordSockets: false);
        await using var _ = browser;
        var before = await popup.EvaluateAsync<string>(SelectedPair);
        var ports = before.Split(':').Select(int.Parse).ToArray();

        // The network changed: nothing from the browser's current candidate reaches the PBX's media port any more.
        await using (await FirewallRule.DropUdpAsync(fromPort: ports[0], toPort: ports[1]))
        {
            await popup.WaitForFunctionAsync("() => Number(document.body.dataset.iceRestarts || 0) >= 1", null,
                new() { Timeout = 30_000, PollingInterval = 250 });
            await popup.WaitForFunctionAsync("() => ['connected', 'completed'].includes(window.__pcs[0].iceConnectionState)", null,
                new() { Timeout = 20_000, PollingInterval = 250 });
            var after = await popup.EvaluateAsync<string>(SelectedPair);
            Assert.NotEqual(before.Split(':')[0], after.Split(':')[0]);
            Assert.Equal(ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture), after.Split(':')[1]);

            await ExpectAudioContinuesAsync(popup);
        }

        Assert.Equal(["connecting", "connected"], (await popup.StatesAsync()).SkipWhile(s => s != "connecting"));
        await HangUpAsync(popup, account);
    }

    [Fact]
    public async Task When_the_call_socket_drops_the_page_resumes_the_call_and_the_echo_goes_on()
    {
        var (browser, popup, account) = await EchoCallAsync(recordSockets: true);
        await using var _ = browser;

        // The socket goes, as when the network blinks; the page opens a new one with its resume token.
        await popup.EvaluateAsync("() => window.__sockets[window.__sockets.length - 1].close()");
        await popup.WaitForFunctionAsync("() => document.body.dataset.resumes === '1'", null, new() { Timeout = 15_000, PollingInterval = 100 });
        Assert.Equal(2, await popup.EvaluateAsync<int>("() => window.__sockets.length"));
        Assert.Contains("/api/call?resume=", await popup.EvaluateAsync<string>("() => window.__sockets[1].url"), StringComparison.Ordinal);

        await ExpectAudioContinuesAsync(popup);
        Assert.Equal(["connecting", "connected"], (await popup.StatesAsync()).SkipWhile(s => s != "connecting"));
        await HangUpAsync(popup, account);
    }

    private async Task<(PopupBrowser Browser, IPage Popup, TestAccount Account)> EchoCallAsync(bool recordSockets)
    {
        var account = await fixture.NewExtensionAsync(fixture.Host);
        var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        if (recordSockets)
        {
            await browser.Context.AddInitScriptAsync(SocketRecorder);
        }

        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=" + Uri.EscapeDataString(Echo));
        await popup.LoginAsync(account, remember: false);
        await popup.ExpectStateAsync("connected");
        await popup.WaitForInboundAudioAsync(packets: 50);
        return (browser, popup, account);
    }

    /// <summary>Inbound audio keeps arriving: 100 more packets (2 s of 20 ms frames) than now.</summary>
    private static async Task ExpectAudioContinuesAsync(IPage popup)
    {
        var packets = await popup.EvaluateAsync<int>(InboundPackets);
        await popup.PollAsync("async (min) => (await (" + InboundPackets + ")()) > min", packets + 100, TimeSpan.FromSeconds(10),
            "100 more inbound packets after the network change");
        Assert.Equal("connected", await popup.EvaluateAsync<string>("() => document.body.dataset.state"));
    }

    private async Task HangUpAsync(IPage popup, TestAccount account)
    {
        await popup.ClickAsync("#hangup");
        await popup.ExpectStateAsync("ended", "hangup");
        var record = await CallRecords.WaitForAsync(fixture.Host, r => r.From == account.Account && r.Destination == Echo && r.Reason == "hangup");
        Assert.Equal("caller", record.EndedBy);
    }
}
