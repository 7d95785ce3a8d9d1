using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Pbx.Calls;
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
        // trip (RFC 3550 section 6.4.1). That takes the PBX's first report after Chromium's first SR: the PBX reports
        // every 2.5-7.5 s (RFC 3550 section 6.3), so within about 15 s; bounded at 30 s.
        var started = DateTime.UtcNow;
        double? seconds = null;
        while (seconds is null && DateTime.UtcNow - started < TimeSpan.FromSeconds(30))
        {
            // EvaluateAsync awaits the page's promise (WaitForFunctionAsync would take the promise itself as truthy).
            seconds = await popup.EvaluateAsync<double?>("""
                async () => {
                  const pc = window.__pcs[0];
                  if (!pc) return null;
                  for (const s of (await pc.getStats()).values()) {
                    if (s.type === 'remote-inbound-rtp' && s.kind === 'audio' && s.roundTripTimeMeasurements > 0) return s.roundTripTime;
                  }
                  return null;
                }
                """);
            if (seconds is null)
            {
                await Task.Delay(250);
            }
        }

        output.WriteLine($"Chromium remote-inbound-rtp.roundTripTime {seconds * 1000:0.###} ms, after {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
        Assert.NotNull(seconds);
        Assert.InRange(seconds.Value, 0, 0.4);

        // The PBX's view of both legs, as the live view shows it: each peer's report echoing one of our SRs.
        var calls = fixture.Host.Services.GetRequiredService<CallEngine>();
        LiveCall? live = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            live = calls.LiveCalls(null).FirstOrDefault(c => c.From == caller.Account);
            if (live is { CallerQuality.RoundTripMs: not null, CalleeQuality.RoundTripMs: not null })
            {
                break;
            }

            await Task.Delay(250);
        }

        output.WriteLine($"live after {(DateTime.UtcNow - started).TotalSeconds:0.0} s: caller {live?.CallerQuality}, callee {live?.CalleeQuality}");
        Assert.NotNull(live?.CallerQuality?.RoundTripMs);
        Assert.NotNull(live.CalleeQuality?.RoundTripMs);

        // The page samples getStats every 2 s; its hang-up sends the last sample as its quality message, which the record
        // keeps: wait for one sample that saw the round trip.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
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
