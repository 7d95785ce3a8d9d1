using System.Globalization;
using Switchboard.EndToEnd.Tests.Peers;
using Switchboard.Server;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// A blind transfer asked by the calling side (RFC 5589 section 6), with real peers: an agent places a call from
/// phone.htm (or a desk phone: baresip's own transfer command) to a baresip, then transfers that baresip to a
/// colleague's baresip; the two are bridged, the transferor's leg ends, and the call keeps one record.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class PhoneCallerTransferTests(BrowserFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);

    /// <summary>The tones of the two baresips, far from each other and from Chromium's 400 Hz microphone.</summary>
    private const double CalledHz = 1000;
    private const double ColleagueHz = 700;

    private PbxHost Host => fixture.Host;

    [Fact]
    public async Task The_agent_transfers_a_call_it_placed_to_a_colleague_and_the_called_party_and_the_colleague_hear_each_other()
    {
        var agent = await fixture.NewExtensionAsync();
        var customer = await fixture.NewExtensionAsync();
        var colleague = await fixture.NewExtensionAsync();
        await using var called = await SipPhoneTests.StartPhoneAsync(Host, customer, SipTransport.Udp, AnswerMode.Auto, toneHz: CalledHz);
        await using var target = await SipPhoneTests.StartPhoneAsync(Host, colleague, SipTransport.Udp, AnswerMode.Auto, toneHz: ColleagueHz);
        await using var browser = await PhoneBrowser.CreateAsync(fixture);
        var phone = await browser.OpenAsync(Host);
        await phone.LoginAsync(agent, remember: false);
        await phone.ExpectStateAsync("idle");
        await Expect(phone.Locator("body")).ToHaveAttributeAsync("data-registered", "true");

        // The agent places the call, and the customer's baresip answers by itself.
        await phone.FillAsync("#number", customer.Number);
        await phone.ClickAsync("#dial");
        await called.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await phone.ExpectStateAsync("connected");
        await phone.WaitForInboundAudioAsync(packets: 50);

        // Transfer to the colleague (the page's prompt, answered here): it rings for the customer and answers by itself.
        await phone.EvaluateAsync("n => { window.prompt = () => n; }", colleague.Number);
        await phone.ClickAsync("#transfer");
        var established = await target.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await phone.ExpectStateAsync("idle", "transferred");

        // The colleague sees the party it talks to, the customer (docs/sip.md, "Transfer by the calling side").
        output.WriteLine($"the colleague's call: {established.Param} {established.PeerUri}");
        Assert.Contains(customer.Number, established.PeerUri, StringComparison.Ordinal);

        await HearEachOtherAsync(called, target);
        var record = await CallRecords.WaitForAsync(Host, r => r.From == agent.Account && r.Destination == customer.Number);
        Assert.Equal($"extension>transfer>extension:{colleague.Number}", record.Route);
        Assert.Equal(("hangup", "caller"), (record.Reason, record.EndedBy));
    }

    [Fact]
    public async Task A_desk_phone_transfers_a_call_it_placed_with_its_transfer_command_and_the_other_two_are_bridged()
    {
        var desk = await fixture.NewExtensionAsync();
        var customer = await fixture.NewExtensionAsync();
        var colleague = await fixture.NewExtensionAsync();
        await using var transferor = await SipPhoneTests.StartPhoneAsync(Host, desk, SipTransport.Udp, AnswerMode.Auto, toneHz: 0);
        await using var called = await SipPhoneTests.StartPhoneAsync(Host, customer, SipTransport.Udp, AnswerMode.Auto, toneHz: CalledHz);
        await using var target = await SipPhoneTests.StartPhoneAsync(Host, colleague, SipTransport.Udp, AnswerMode.Auto, toneHz: ColleagueHz);

        // The desk phone calls the customer, then transfers it with baresip's own REFER.
        await transferor.DialAsync($"sip:{customer.Number}@{BrowserFixture.Domain}");
        await called.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await transferor.WaitForEventAsync(BaresipEvent.CallEstablished, Step);

        // At once, within milliseconds of the answer: the customer's phone, mid-way through filling its jitter buffer
        // with the desk phone's stream, must go on to the colleague's on the same timestamp line (RtpStreamRewriter).
        await transferor.CommandAsync("transfer", $"sip:{colleague.Number}@{BrowserFixture.Domain}");
        await target.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await transferor.WaitForEventAsync(BaresipEvent.CallClosed, Step);

        await HearEachOtherAsync(called, target);
        var record = await CallRecords.WaitForAsync(Host, r => r.From == desk.Account && r.Destination == customer.Number);
        Assert.Equal(($"extension>transfer>extension:{colleague.Number}", "hangup", "caller"), (record.Route, record.Reason, record.EndedBy));
    }

    /// <summary>
    /// The transferee and the target talk for a while, then the transferee hangs up and the target's call ends with it;
    /// each recorded the other's tone: the target the transferee's 1 kHz, the transferee (at the end of its call) the
    /// target's 700 Hz.
    /// </summary>
    private async Task HearEachOtherAsync(BaresipAgent called, BaresipAgent target)
    {
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await called.HangupAsync();
        await called.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        await target.WaitForEventAsync(BaresipEvent.CallClosed, Step);

        var atColleague = (await target.RecordingsAsync()).Received;
        var colleagueHears = ToneDetector.PowerShare(atColleague.From(TimeSpan.FromSeconds(0.5)), atColleague.SampleRate, CalledHz);
        var atCustomer = (await called.RecordingsAsync()).Received;
        var customerHears = ToneDetector.PowerShare(atCustomer.From(atCustomer.Duration - TimeSpan.FromSeconds(1.5)), atCustomer.SampleRate, ColleagueHz);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tone shares: the colleague hears {colleagueHears:F2} of 1 kHz, the customer {customerHears:F2} of 700 Hz"));
        Assert.True(colleagueHears > 0.15, string.Create(CultureInfo.InvariantCulture, $"the colleague should hear the customer's tone: share {colleagueHears:F2}"));
        Assert.True(customerHears > 0.15, string.Create(CultureInfo.InvariantCulture, $"the customer should hear the colleague's tone: share {customerHears:F2}"));
    }
}
