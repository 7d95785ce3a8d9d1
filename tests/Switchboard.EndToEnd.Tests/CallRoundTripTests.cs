using System.Text.Json;
using Switchboard.EndToEnd.Tests.Peers;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// Round trips on both legs of a popup call to a registered baresip (docs/media.md, "RTCP we send"): the PBX's sender
/// reports are echoed in the peers' reception reports (RFC 3550 section 6.4.1, LSR/DLSR), so the record has a round
/// trip for the phone leg and the browser leg; and the PBX's reports to the browser echo the browser's sender reports,
/// so Chromium's <c>getStats()</c> has <c>remote-inbound-rtp.roundTripTime</c> and the popup's quality message carries
/// <c>roundTripMs</c>.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class CallRoundTripTests(BrowserFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_call_to_baresip_has_a_round_trip_on_both_legs_and_in_the_popups_quality_message()
    {
        var caller = await fixture.NewExtensionAsync();
        var callee = await fixture.NewExtensionAsync();
        await using var phone = await SipPhoneTests.StartPhoneAsync(fixture.Host, callee, SipTransport.Udp, AnswerMode.Auto);

        await using var browser = await PopupBrowser.CreateAsync(fixture, fixture.Host);
        var popup = await browser.OpenAsync(fixture.Host, "?destnumber=" + callee.Number);
        await popup.LoginAsync(caller, remember: false);
        await popup.ExpectStateAsync("connected");
        await phone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);

        // Chromium's view: the PBX's report blocks about the browser's stream echo its SR, so Chromium computes the round
        // trip (RFC 3550 section 6.4.1). The PBX's first report goes out early (about 1.25 s), then every 2.5-7.5 s, and
        // Chromium's own first SR must have reached the PBX before: bounded at 20 s.
        var rtt = await popup.WaitForFunctionAsync("""
            async () => {
              const pc = window.__pcs[0];
              if (!pc) return null;
              const stats = await pc.getStats();
              for (const s of stats.values()) {
                if (s.type === 'remote-inbound-rtp' && s.kind === 'audio' && typeof s.roundTripTime === 'number') return s.roundTripTime;
              }
              return null;
            }
            """, null, new() { Timeout = 20_000, PollingInterval = 250 });
        var seconds = await rtt.JsonValueAsync<double>();
        output.WriteLine($"Chromium remote-inbound-rtp.roundTripTime: {seconds * 1000:0.###} ms");
        Assert.InRange(seconds, 0, 0.4);

        // The page samples getStats every 2 s and sends its quality message at least every few samples; the hang-up sends
        // the last one, which the record keeps.
        await Task.Delay(TimeSpan.FromSeconds(4.5));
        await popup.ClickAsync("#hangup");
        await phone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        var record = await CallRecords.WaitForAsync(fixture.Host, r => r.From == caller.Account && r.Destination == callee.Number);
        output.WriteLine($"record: caller {record.CallerQuality}, callee {record.CalleeQuality}, page {record.PageQuality}");

        // Loopback: well under a millisecond of network, plus scheduling on a loaded box; never negative, never unknown.
        Assert.NotNull(record.CallerQuality?.RoundTripMs);
        Assert.InRange(record.CallerQuality!.RoundTripMs!.Value, 0, 400);
        Assert.NotNull(record.CalleeQuality?.RoundTripMs);
        Assert.InRange(record.CalleeQuality!.RoundTripMs!.Value, 0, 400);

        Assert.NotNull(record.PageQuality);
        using var page = JsonDocument.Parse(record.PageQuality!);
        Assert.True(page.RootElement.TryGetProperty("roundTripMs", out var pageRtt), "the popup's quality message has no roundTripMs: " + record.PageQuality);
        Assert.Equal(JsonValueKind.Number, pageRtt.ValueKind);
        Assert.InRange(pageRtt.GetDouble(), 0, 400);
    }
}
