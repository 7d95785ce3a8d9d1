using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Services;
using Switchboard.Server;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// Calls that really connect: the popup in headless Chromium, the PBX's WebRTC leg (ICE-lite,
/// DTLS-SRTP) and its built-in services, all on loopback.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class MediaCallTests(BrowserFixture fixture)
{
    private static readonly ServiceOptions Services = new();

    private const string PeerConnected = "() => window.__pcs[0] && window.__pcs[0].connectionState === 'connected'";

    private const string AudioReceived = """
        async () => {
          const stats = await window.__pcs[0].getStats();
          let packets = 0;
          stats.forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packets = s.packetsReceived; });
          return packets > 25;
        }
        """;

    [Fact]
    public async Task A_call_to_the_echo_service_connects_and_the_page_hears_audio()
    {
        var account = await fixture.NewExtensionAsync();
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=" + Uri.EscapeDataString(Services.EchoNumber));
        await popup.LoginAsync(account, remember: false);

        await popup.ExpectStateAsync("connected");
        await popup.WaitForFunctionAsync(PeerConnected);
        await popup.WaitForFunctionAsync(AudioReceived, null, new() { PollingInterval = 100 });
        Assert.True(await popup.EvaluateAsync<bool>("() => document.getElementById('remote').srcObject !== null"));

        await popup.ClickAsync("#hangup");

        await popup.ExpectStateAsync("ended", "hangup");
        var record = await RecordAsync(fixture.Host, account, Services.EchoNumber, r => r.Reason == "hangup");
        Assert.NotNull(record.AnsweredAt);
        Assert.Equal("caller", record.EndedBy);
    }

    [Fact]
    public async Task Keyboard_digits_and_keypad_buttons_reach_the_PBX_in_the_media_and_land_in_the_call_record()
    {
        var account = await fixture.NewExtensionAsync();
        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=" + Uri.EscapeDataString(Services.DtmfTestNumber));
        await popup.LoginAsync(account, remember: false);
        await popup.ExpectStateAsync("connected");
        await popup.WaitForFunctionAsync(PeerConnected);
        await popup.EvaluateAsync("() => window.__pcs[0].getSenders()[0].dtmf.addEventListener('tonechange', e => e.tone ? window.__tones.push(e.tone) : (window.__tonesDone = window.__tones.length === 4))");

        // Typed fast, as a user does: no digit may be lost.
        await popup.Keyboard.TypeAsync("12");
        await popup.ClickAsync("button[data-digit=\"*\"]");
        await popup.Keyboard.PressAsync("#");
        await popup.WaitForFunctionAsync("() => window.__tones.join('') === '12*#'", null, new() { Timeout = 5000 });
        await Expect(popup.Locator("#status")).ToContainTextAsync("12*#");
        // The last tone is fully sent (its end packets too) before the user hangs up.
        await popup.WaitForFunctionAsync("() => window.__pcs[0].getSenders()[0].dtmf.toneBuffer === '' && window.__tonesDone", null, new() { Timeout = 5000 });

        await popup.ClickAsync("#hangup");

        await popup.ExpectStateAsync("ended", "hangup");
        var record = await RecordAsync(fixture.Host, account, Services.DtmfTestNumber, r => r.Reason == "hangup");
        Assert.Equal("12*#", record.Digits);
    }

    [Fact]
    public async Task When_the_far_side_hangs_up_the_popup_shows_it_and_closes_itself()
    {
        var dir = BrowserFixture.NewDataDirectory();
        try
        {
            await using var host = await PbxHost.StartAsync(new PbxHostOptions
            {
                DataDirectory = dir,
                HttpPort = 0,
                HttpsPort = 0,
                Console = TextWriter.Null,
                Services = new ServiceOptions { DtmfTestHangupAfter = TimeSpan.FromSeconds(1) },
            });
            var account = await fixture.NewExtensionAsync(host);
            await using var browser = await PopupBrowser.CreateAsync(fixture, host, stubClose: false);
            var popup = await browser.OpenAsync(host, "?destnumber=" + Uri.EscapeDataString(Services.DtmfTestNumber));
            var closed = new TaskCompletionSource();
            popup.Close += (_, _) => closed.TrySetResult();
            await popup.LoginAsync(account, remember: false);

            await popup.ExpectStateAsync("connected");
            await popup.ExpectStateAsync("ended", "remote_hangup");

            await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
            await RecordAsync(host, account, Services.DtmfTestNumber, r => r.EndedBy == "callee");
        }
        finally
        {
            BrowserFixture.TryDelete(dir);
        }
    }

    /// <summary>Waits (bounded) for the call record of <paramref name="account"/> to <paramref name="destination"/>.</summary>
    private static async Task<CallRecord> RecordAsync(PbxHost host, TestAccount account, string destination, Func<CallRecord, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var records = await host.Admin.ListCallRecordsAsync();
            var found = records.FirstOrDefault(r => r.From == account.Account && r.Destination == destination && match(r));
            if (found is not null) return found;
            Assert.True(DateTime.UtcNow < deadline,
                $"no matching call record; have: {string.Join("; ", records.Where(r => r.From == account.Account).Select(r => $"{r.Destination} {r.Reason} by {r.EndedBy} digits {r.Digits}"))}");
            await Task.Delay(50);
        }
    }
}
