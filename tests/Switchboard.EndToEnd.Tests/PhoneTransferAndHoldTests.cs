using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Switchboard.EndToEnd.Tests.Peers;
using Switchboard.Server;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// phone.htm's blind transfer (REFER, RFC 5589 section 6) and signalled hold (re-INVITE a=sendonly, RFC 3264 section
/// 8.4), with real peers: a visitor's popup calls the agent's phone.htm, which transfers it to a registered baresip
/// extension, or holds it while the visitor hears the PBX's hold music; and the same from a baresip callee (its
/// transfer, hold and resume commands).
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class PhoneTransferAndHoldTests(BrowserFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Inbound audio energy per second (Chromium's getStats totalAudioEnergy: audio level squared times seconds) above
    /// which the popup hears sound, and below which it hears silence. Measured here: the hold music and the fake
    /// microphone about 0.24 per second, baresip's 1 kHz tone 0.066, a muted agent 1e-11.
    /// </summary>
    private const double SoundEnergy = 1e-4;

    private PbxHost Host => fixture.Host;

    [Fact]
    public async Task The_agent_transfers_a_popups_call_to_a_baresip_extension_which_answers_and_the_popup_hears_it()
    {
        var agent = await fixture.NewExtensionAsync();
        var visitor = await fixture.NewExtensionAsync();
        var target = await fixture.NewExtensionAsync();
        await using var baresip = await SipPhoneTests.StartPhoneAsync(Host, target, SipTransport.Udp, AnswerMode.Auto, toneHz: 1000);
        var (agentBrowser, phone, popupBrowser, popup) = await ConnectAsync(agent, visitor);
        await using var _ = agentBrowser;
        await using var __ = popupBrowser;

        // The agent asks for a transfer to the baresip extension (the page's prompt, answered here).
        await phone.EvaluateAsync("n => { window.prompt = () => n; }", target.Number);
        await phone.ClickAsync("#transfer");

        // baresip rings and answers at once (so the page's "Transferring..." may already be over when looked at); the agent's leg ends as transferred, the popup stays connected.
        await baresip.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await phone.ExpectStateAsync("idle", "transferred");
        Assert.Equal("connected", await popup.Locator("body").GetAttributeAsync("data-state"));

        // The popup hears baresip's 1 kHz tone: the agent is gone, so the sound is baresip's.
        var energy = await InboundEnergyPerSecondAsync(popup, TimeSpan.FromSeconds(2));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"popup inbound energy after the transfer: {energy:E2}/s"));
        Assert.True(energy > SoundEnergy, string.Create(CultureInfo.InvariantCulture, $"the popup should hear baresip after the transfer: {energy:E2}/s"));

        // And baresip hears the popup's microphone (400 Hz).
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await popup.ClickAsync("#hangup");
        await baresip.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        var recording = await baresip.RecordingsAsync();
        var share = ToneDetector.PowerShare(recording.Received.From(TimeSpan.FromSeconds(0.5)), recording.Received.SampleRate, 400);
        Assert.True(share > 0.15, string.Create(CultureInfo.InvariantCulture, $"baresip should hear the popup's 400 Hz beep: share {share:F2}"));

        // The record says the call went to the agent, then was transferred to the baresip extension.
        var record = await CallRecords.WaitForAsync(Host, r => r.From == visitor.Account && r.Destination == agent.Number);
        Assert.Equal($"extension>transfer>extension:{target.Number}", record.Route);
        Assert.Equal(("hangup", "caller"), (record.Reason, record.EndedBy));
    }

    [Fact]
    public async Task A_transfer_the_pbx_refuses_shows_the_reason_and_the_call_goes_on()
    {
        var agent = await fixture.NewExtensionAsync();
        var visitor = await fixture.NewExtensionAsync();
        var (agentBrowser, phone, popupBrowser, popup) = await ConnectAsync(agent, visitor);
        await using var _ = agentBrowser;
        await using var __ = popupBrowser;

        await phone.EvaluateAsync("() => { window.prompt = () => '7777777'; }");
        await phone.ClickAsync("#transfer");
        await Expect(phone.Locator("body")).ToHaveAttributeAsync("data-transfer", "failed", new() { Timeout = 10_000 });
        // Not an extension of the domain: external, so the policy refuses it or no trunk takes it; the page says which.
        await Expect(phone.Locator("#status")).ToContainTextAsync("Transfer to 7777777 failed");
        Assert.Equal("connected", await phone.Locator("body").GetAttributeAsync("data-state"));

        // Still bridged: the visitor hears the agent's microphone.
        var energy = await InboundEnergyPerSecondAsync(popup, TimeSpan.FromSeconds(1.5));
        Assert.True(energy > SoundEnergy, string.Create(CultureInfo.InvariantCulture, $"the popup should still hear the agent: {energy:E2}/s"));
        await phone.ClickAsync("#hangup");
        await popup.ExpectStateAsync("ended", "remote_hangup");
    }

    [Fact]
    public async Task The_agent_transfers_a_popups_call_to_the_echo_which_takes_it_at_once_and_returns_the_visitors_voice()
    {
        var agent = await fixture.NewExtensionAsync();
        var visitor = await fixture.NewExtensionAsync();
        var (agentBrowser, phone, popupBrowser, popup) = await ConnectAsync(agent, visitor);
        await using var _ = agentBrowser;
        await using var __ = popupBrowser;

        // A service takes the caller itself: the agent's transfer is done at once (docs/sip.md, "Blind transfer").
        await phone.EvaluateAsync("() => { window.prompt = () => '*43'; }");
        await phone.ClickAsync("#transfer");
        await phone.ExpectStateAsync("idle", "transferred");
        Assert.Equal("connected", await popup.Locator("body").GetAttributeAsync("data-state"));

        // The agent is gone, so what the popup hears now is its own microphone, echoed.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var energy = await InboundEnergyPerSecondAsync(popup, TimeSpan.FromSeconds(2));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"popup inbound energy from the echo: {energy:E2}/s"));
        Assert.True(energy > SoundEnergy, string.Create(CultureInfo.InvariantCulture, $"the popup should hear its echo: {energy:E2}/s"));

        await popup.ClickAsync("#hangup");
        var record = await CallRecords.WaitForAsync(Host, r => r.From == visitor.Account && r.Destination == agent.Number);
        Assert.Equal(("extension>transfer>service:echo:*43", "hangup", "caller"), (record.Route, record.Reason, record.EndedBy));
    }

    [Fact]
    public async Task The_agent_transfers_a_popups_call_to_an_external_number_through_the_trunk_and_the_popup_hears_the_public_phone()
    {
        // The stand-in carrier (Kamailio, digest) with a public baresip behind it playing 1 kHz, as in TrunkTests.
        await using var carrier = await TrunkTests.StartCarrierAsync();
        await using var publicPhone = await TrunkTests.StartPublicPhoneAsync(carrier);

        // A domain of its own for the trunk and its rule; no caller ID on the trunk, so the carrier sees whose call it is.
        var domain = $"xfer-{Guid.NewGuid().ToString("N")[..8]}.test";
        await Host.Admin.CreateDomainAsync(domain);
        var agent = await NewAccountAsync(domain, "100");
        var visitor = await NewAccountAsync(domain, "101");
        await Host.Admin.AddTrunkAsync(new Switchboard.Pbx.Trunks.Trunk(0, domain, "main", carrier.Address, Switchboard.Sip.Transport.SipTransportKind.Udp,
            "pbxtrunk", true, 0, TrunkTests.CarrierDomain), "trunk-secret");
        Assert.True(Switchboard.Pbx.Policy.DialRule.TryCreate("555XXXX", "main", 0, "", out var rule, out var error), error);
        await Host.Services.GetRequiredService<Switchboard.Pbx.Policy.IPolicyStore>().AddDialRuleAsync(domain, null, null, rule!);

        var (agentBrowser, phone, popupBrowser, popup) = await ConnectAsync(agent, visitor);
        await using var _ = agentBrowser;
        await using var __ = popupBrowser;
        await phone.EvaluateAsync("n => { window.prompt = () => n; }", TrunkTests.PublicNumber);
        await phone.ClickAsync("#transfer");

        // The public phone answers at once; the agent's leg ends as transferred, the popup stays connected and hears it.
        await publicPhone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await phone.ExpectStateAsync("idle", "transferred");
        Assert.Equal("connected", await popup.Locator("body").GetAttributeAsync("data-state"));
        var energy = await InboundEnergyPerSecondAsync(popup, TimeSpan.FromSeconds(2));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"popup inbound energy after the transfer out: {energy:E2}/s"));
        Assert.True(energy > SoundEnergy, string.Create(CultureInfo.InvariantCulture, $"the popup should hear the public phone: {energy:E2}/s"));

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await popup.ClickAsync("#hangup");
        await publicPhone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        var heard = (await publicPhone.RecordingsAsync()).Received;
        var share = ToneDetector.PowerShare(heard.From(TimeSpan.FromSeconds(0.5)), heard.SampleRate, 400);
        Assert.True(share > 0.15, string.Create(CultureInfo.InvariantCulture, $"the public phone should hear the popup's 400 Hz beep: share {share:F2}"));

        // The carrier was asked as for the agent's own call: the agent's number, the trunk's account.
        var relayed = (await carrier.ReceivedInvitesAsync()).Where(i => i.Outcome == CarrierOutcome.Relayed && i.RequestUser == TrunkTests.PublicNumber).ToList();
        Assert.Single(relayed);
        Assert.Equal((agent.Number, "pbxtrunk"), (relayed[0].FromUser, relayed[0].AuthUser));

        // One record: the visitor's call to the agent, transferred out through the trunk.
        var record = await CallRecords.WaitForAsync(Host, r => r.From == visitor.Account && r.Destination == agent.Number);
        Assert.Equal(($"extension>transfer>trunk:main:{TrunkTests.PublicNumber}", "hangup", "caller"), (record.Route, record.Reason, record.EndedBy));
    }

    [Fact]
    public async Task The_agent_transfers_a_popups_call_to_a_queue_where_the_visitor_hears_hold_music_and_its_place()
    {
        var data = BrowserFixture.NewDataDirectory();
        try
        {
            // The queue's only member never registers: the visitor waits with the music. The agent is no member.
            var (host, _, accounts) = await QueueTests.StartWithQueueAsync(fixture, data, visitors: 2);
            await using var ___ = host;
            var (agent, visitor) = (accounts[0], accounts[1]);
            var (agentBrowser, phone, popupBrowser, popup) = await ConnectAsync(agent, visitor, host);
            await using var _ = agentBrowser;
            await using var __ = popupBrowser;

            // A queue takes the caller itself: the agent's transfer is done at once (docs/sip.md, "Blind transfer").
            await phone.EvaluateAsync("() => { window.prompt = () => '8800'; }");
            await phone.ClickAsync("#transfer");
            await phone.ExpectStateAsync("idle", "transferred");
            await Expect(popup.Locator("#queue")).ToHaveTextAsync("You are number 1 in the queue");
            Assert.Equal("connected", await popup.Locator("body").GetAttributeAsync("data-state"));
            var energy = await InboundEnergyPerSecondAsync(popup, TimeSpan.FromSeconds(2));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"popup inbound energy in the queue: {energy:E2}/s"));
            Assert.True(energy > SoundEnergy, string.Create(CultureInfo.InvariantCulture, $"the popup should hear the hold music: {energy:E2}/s"));

            await popup.ClickAsync("#hangup");
            var record = await CallRecords.WaitForAsync(host, r => r.From == visitor.Account && r.Destination == agent.Number);
            Assert.Equal(("extension>transfer>queue:sales", "sales", "hangup"), (record.Route, record.Queue, record.Reason));
        }
        finally
        {
            BrowserFixture.TryDelete(data);
        }
    }

    [Fact]
    public async Task The_agent_holds_with_a_sendonly_reinvite_the_popup_hears_hold_music_and_after_resume_the_agent_again()
    {
        var agent = await fixture.NewExtensionAsync();
        var visitor = await fixture.NewExtensionAsync();
        var (agentBrowser, phone, popupBrowser, popup) = await ConnectAsync(agent, visitor);
        await using var _ = agentBrowser;
        await using var __ = popupBrowser;

        // Hold: the page offers a=sendonly and the PBX answers a=recvonly (RFC 3264 section 8.4); the agent's microphone is off.
        await phone.ClickAsync("#hold");
        await Expect(phone.Locator("#hold")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.Contains("a=recvonly", await phone.EvaluateAsync<string>("() => window.__pcs[0].currentRemoteDescription.sdp"), StringComparison.Ordinal);
        Assert.False(await phone.EvaluateAsync<bool>("() => window.__pcs[0].getSenders()[0].track.enabled"));

        // Nothing of the agent reaches the popup now, yet it hears sound: the hold music.
        var held = await InboundEnergyPerSecondAsync(popup, TimeSpan.FromSeconds(2));
        Assert.True(held > SoundEnergy, string.Create(CultureInfo.InvariantCulture, $"the popup should hear hold music: {held:E2}/s"));

        // Resume (a=sendrecv): the agent is heard again...
        await phone.ClickAsync("#hold");
        await Expect(phone.Locator("#hold")).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.Contains("a=sendrecv", await phone.EvaluateAsync<string>("() => window.__pcs[0].currentRemoteDescription.sdp"), StringComparison.Ordinal);
        var resumed = await InboundEnergyPerSecondAsync(popup, TimeSpan.FromSeconds(2));
        Assert.True(resumed > SoundEnergy, string.Create(CultureInfo.InvariantCulture, $"the popup should hear the agent after resume: {resumed:E2}/s"));

        // ...and only the agent: muted, it leaves silence, so the music stopped.
        await phone.ClickAsync("#mute");
        await Task.Delay(TimeSpan.FromSeconds(0.5));
        var muted = await InboundEnergyPerSecondAsync(popup, TimeSpan.FromSeconds(2));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"popup inbound energy per second: held {held:E2}, resumed {resumed:E2}, resumed and muted {muted:E2}"));
        Assert.True(muted < SoundEnergy, string.Create(CultureInfo.InvariantCulture, $"no music after resume, the muted agent is silent: {muted:E2}/s"));

        await phone.ClickAsync("#hangup");
        await popup.ExpectStateAsync("ended", "remote_hangup");
    }

    [Fact]
    public async Task A_baresip_callee_transfers_the_popup_with_its_transfer_command_to_another_baresip()
    {
        var first = await fixture.NewExtensionAsync();
        var second = await fixture.NewExtensionAsync();
        var visitor = await fixture.NewExtensionAsync();
        await using var transferor = await SipPhoneTests.StartPhoneAsync(Host, first, SipTransport.Udp, AnswerMode.Auto, toneHz: 0);
        await using var target = await SipPhoneTests.StartPhoneAsync(Host, second, SipTransport.Udp, AnswerMode.Auto, toneHz: 1000);
        await using var popupBrowser = await PopupBrowser.CreateAsync(fixture, Host);
        var popup = await CallBaresipAsync(popupBrowser, visitor, first, transferor);

        // The first phone plays silence: what the popup hears afterwards is the second one's tone.
        await transferor.CommandAsync("transfer", $"sip:{second.Number}@{BrowserFixture.Domain}");
        await target.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await transferor.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        var energy = await InboundEnergyPerSecondAsync(popup, TimeSpan.FromSeconds(2));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"popup inbound energy after baresip's transfer: {energy:E2}/s"));
        Assert.True(energy > SoundEnergy, string.Create(CultureInfo.InvariantCulture, $"the popup should hear the target's tone: {energy:E2}/s"));

        await popup.ClickAsync("#hangup");
        await target.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        var record = await CallRecords.WaitForAsync(Host, r => r.From == visitor.Account && r.Destination == first.Number);
        Assert.Equal($"extension>transfer>extension:{second.Number}", record.Route);
    }

    [Fact]
    public async Task A_baresip_callee_that_holds_gives_the_popup_hold_music_and_its_resume_takes_it_away()
    {
        var callee = await fixture.NewExtensionAsync();
        var visitor = await fixture.NewExtensionAsync();
        await using var phone = await SipPhoneTests.StartPhoneAsync(Host, callee, SipTransport.Udp, AnswerMode.Auto, toneHz: 0);
        await using var popupBrowser = await PopupBrowser.CreateAsync(fixture, Host);
        var popup = await CallBaresipAsync(popupBrowser, visitor, callee, phone);

        // baresip plays silence: sound in the popup can only be the PBX's hold music.
        var before = await InboundEnergyPerSecondAsync(popup, TimeSpan.FromSeconds(1.5));
        await phone.CommandAsync("hold");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var held = await InboundEnergyPerSecondAsync(popup, TimeSpan.FromSeconds(2));
        await phone.CommandAsync("resume");

        // baresip's resume re-INVITE comes when it comes, and the popup's jitter buffer plays out the last of the music:
        // within a few seconds the popup hears baresip's silence again, not the music.
        var resumed = await SecondsUntilSilentAsync(popup, TimeSpan.FromSeconds(8));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"popup inbound energy per second: before {before:E2}, held {held:E2}; silent again {resumed:0.0} s after the resume command"));

        Assert.True(before < SoundEnergy, string.Create(CultureInfo.InvariantCulture, $"silence before the hold: {before:E2}/s"));
        Assert.True(held > SoundEnergy, string.Create(CultureInfo.InvariantCulture, $"hold music while baresip holds: {held:E2}/s"));
        Assert.NotNull(resumed);
        await popup.ClickAsync("#hangup");
        await phone.WaitForEventAsync(BaresipEvent.CallClosed, Step);
    }

    /// <summary>Extension <paramref name="number"/> of <paramref name="domain"/>, with a fresh password.</summary>
    private async Task<TestAccount> NewAccountAsync(string domain, string number)
    {
        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        await Host.Admin.CreateExtensionAsync(domain, number, "Ext " + number, password, "sip-" + password);
        return new TestAccount(number, $"{number}@{domain}", password);
    }

    /// <summary>A visitor's popup calls <paramref name="callee"/>'s baresip, which answers by itself: both connected.</summary>
    private async Task<IPage> CallBaresipAsync(PopupBrowser browser, TestAccount visitor, TestAccount callee, BaresipAgent phone)
    {
        var popup = await browser.OpenAsync(Host, "?destnumber=" + callee.Number);
        await popup.LoginAsync(visitor, remember: false);
        await phone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await popup.ExpectStateAsync("connected");
        return popup;
    }

    /// <summary>A visitor's popup calls the agent's phone.htm (on the shared PBX unless <paramref name="host"/>), which answers: both connected, the visitor hears the agent.</summary>
    private async Task<(PhoneBrowser AgentBrowser, IPage Phone, PopupBrowser PopupBrowser, IPage Popup)> ConnectAsync(TestAccount agent, TestAccount visitor,
        PbxHost? host = null)
    {
        host ??= Host;
        var agentBrowser = await PhoneBrowser.CreateAsync(fixture);
        var phone = await agentBrowser.OpenAsync(host);
        await phone.LoginAsync(agent, remember: false);
        await phone.ExpectStateAsync("idle");
        await Expect(phone.Locator("body")).ToHaveAttributeAsync("data-registered", "true");

        var popupBrowser = await PopupBrowser.CreateAsync(fixture, host);
        var popup = await popupBrowser.OpenAsync(host, "?destnumber=" + agent.Number);
        await popup.LoginAsync(visitor, remember: false);
        await phone.ExpectStateAsync("incoming");
        await phone.ClickAsync("#answer");
        await phone.ExpectStateAsync("connected");
        await popup.ExpectStateAsync("connected");
        await popup.WaitForInboundAudioAsync(packets: 50);
        return (agentBrowser, phone, popupBrowser, popup);
    }

    /// <summary>Seconds until a whole second of the page's inbound audio is silent, measured second by second; null when none is within <paramref name="limit"/>.</summary>
    private static async Task<double?> SecondsUntilSilentAsync(IPage page, TimeSpan limit)
    {
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < limit)
        {
            if (await InboundEnergyPerSecondAsync(page, TimeSpan.FromSeconds(1)) < SoundEnergy)
            {
                return (DateTime.UtcNow - started).TotalSeconds;
            }
        }

        return null;
    }

    /// <summary>How much sound the page received over <paramref name="window"/>: the growth of its inbound totalAudioEnergy per second.</summary>
    private static async Task<double> InboundEnergyPerSecondAsync(IPage page, TimeSpan window)
    {
        const string Energy = """
            async () => {
              const stats = await window.__pcs[0].getStats();
              for (const s of stats.values()) {
                if (s.type === 'inbound-rtp' && s.kind === 'audio') return s.totalAudioEnergy || 0;
              }
              return 0;
            }
            """;
        var before = await page.EvaluateAsync<double>(Energy);
        await Task.Delay(window);
        var after = await page.EvaluateAsync<double>(Energy);
        return (after - before) / window.TotalSeconds;
    }
}
