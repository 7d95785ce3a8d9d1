using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.EndToEnd.Tests.Peers;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Trunks;
using Switchboard.Server;
using Switchboard.Sip.Transport;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// Click-to-call to the public network through a SIP trunk, against a stand-in carrier made of real peers: Kamailio
/// requiring registration and digest, a baresip behind it as the "public phone". Each test has its own domain on
/// the shared PBX, so its trunks, rules and limits touch nothing else.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class TrunkTests(BrowserFixture fixture)
{
    internal const string CarrierDomain = "carrier.test";
    internal const string PublicNumber = "5551234";
    private const string CallerId = "4930999";
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);
    private static int s_domains;

    private PbxHost Host => fixture.Host;

    [Theory]
    [InlineData(SipTransportKind.Udp)]
    [InlineData(SipTransportKind.Tcp)]
    public async Task Click_to_call_reaches_a_public_number_through_the_trunk_with_caller_id_audio_and_dtmf(SipTransportKind transport)
    {
        await using var carrier = await StartCarrierAsync();
        await using var publicPhone = await StartPublicPhoneAsync(carrier);
        var (domain, caller) = await NewDomainAsync();
        await AddTrunkAsync(domain, "main", carrier.Address, transport: transport);
        await RouteAsync(domain, "555XXXX", "main");

        await using var browser = await PopupBrowser.CreateAsync(fixture, Host, stubClose: false);
        var popup = await browser.OpenAsync(Host, "?destnumber=" + PublicNumber);
        var closed = new TaskCompletionSource();
        popup.Close += (_, _) => closed.TrySetResult();
        await popup.LoginAsync(caller, remember: false);
        await popup.ExpectStateAsync("connected");
        await publicPhone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);

        await popup.WaitForInboundAudioAsync(packets: 50);
        await popup.ClickAsync("button[data-digit=\"4\"]");
        Assert.Equal("4", (await publicPhone.WaitForEventAsync(e => e.Type == BaresipEvent.CallDtmfStart, Step)).Param);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await publicPhone.HangupAsync();
        await closed.Task.WaitAsync(Step);

        // The carrier saw our caller ID rules: From user and P-Asserted-Identity, and the trunk's account authenticated.
        var relayed = (await carrier.ReceivedInvitesAsync()).Where(i => i.Outcome == CarrierOutcome.Relayed && i.RequestUser == PublicNumber).ToList();
        Assert.Single(relayed);
        Assert.Equal(CallerId, relayed[0].FromUser);
        Assert.Contains(CallerId, relayed[0].PAssertedIdentity ?? "", StringComparison.Ordinal);
        Assert.Equal("pbxtrunk", relayed[0].AuthUser);

        var record = await CallRecords.WaitForAsync(Host, r => r.From == caller.Account && r.Destination == PublicNumber);
        Assert.Equal("trunk:main", record.Route);
        Assert.Equal("remote_hangup", record.Reason);
        Assert.Equal("4", record.Digits);

        var heard = (await publicPhone.RecordingsAsync()).Received;
        var share = ToneDetector.PowerShare(heard.From(TimeSpan.FromSeconds(0.5)), heard.SampleRate, 400);
        Assert.True(share > 0.15, string.Create(CultureInfo.InvariantCulture, $"the public phone hears the browser's beep: 400 Hz share {share:F2}"));
    }

    [Fact]
    public async Task With_the_first_trunk_down_the_call_fails_over_to_the_second()
    {
        await using var carrier = await StartCarrierAsync();
        await using var publicPhone = await StartPublicPhoneAsync(carrier);
        var (domain, caller) = await NewDomainAsync();
        await AddTrunkAsync(domain, "dead", "127.0.0.1:" + FreePorts.Sip().ToString(CultureInfo.InvariantCulture), register: false);
        await AddTrunkAsync(domain, "main", carrier.Address);
        await RouteAsync(domain, "555XXXX", "dead");

        await using var browser = await PopupBrowser.CreateAsync(fixture, Host);
        var popup = await browser.OpenAsync(Host, "?destnumber=" + PublicNumber);
        await popup.LoginAsync(caller, remember: false);
        await popup.ExpectStateAsync("connected");
        await publicPhone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await popup.ClickAsync("#hangup");

        var record = await CallRecords.WaitForAsync(Host, r => r.From == caller.Account && r.Destination == PublicNumber);
        Assert.Equal("trunk:main", record.Route);
        Assert.Equal("hangup", record.Reason);
    }

    [Fact]
    public async Task A_trunk_answering_503_hands_the_call_to_the_next_trunk_at_once()
    {
        await using var carrier = await StartCarrierAsync();
        await using var publicPhone = await StartPublicPhoneAsync(carrier);
        using var overloaded = new RawSipUdp();
        var (domain, caller) = await NewDomainAsync();
        await AddTrunkAsync(domain, "overloaded", overloaded.HostPort, register: false);
        await AddTrunkAsync(domain, "main", carrier.Address);
        await RouteAsync(domain, "555XXXX", "overloaded");

        await using var browser = await PopupBrowser.CreateAsync(fixture, Host);
        var popup = await browser.OpenAsync(Host, "?destnumber=" + PublicNumber);
        await popup.LoginAsync(caller, remember: false);

        // The first carrier refuses at once: RFC 3261 section 21.5.4, 503 Service Unavailable.
        var invite = await overloaded.ReceiveAsync(m => m.StartsWith("INVITE ", StringComparison.Ordinal), Step);
        var refusal = string.Join("\n", "SIP/2.0 503 Service Unavailable",
            "Via: " + RawSipUdp.Header(invite, "Via"), "From: " + RawSipUdp.Header(invite, "From"),
            "To: " + RawSipUdp.Header(invite, "To") + ";tag=busy1", "Call-ID: " + RawSipUdp.Header(invite, "Call-ID"),
            "CSeq: " + RawSipUdp.Header(invite, "CSeq"), "Content-Length: 0", "", "");
        await overloaded.SendAsync(refusal, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, Host.SipUdpPort!.Value), CancellationToken.None);

        await popup.ExpectStateAsync("connected");
        await publicPhone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await popup.ClickAsync("#hangup");
        var record = await CallRecords.WaitForAsync(Host, r => r.From == caller.Account && r.Destination == PublicNumber);
        Assert.Equal("trunk:main", record.Route);
    }

    [Fact]
    public async Task An_extension_without_international_permission_gets_not_permitted_and_nothing_reaches_the_carrier()
    {
        await using var carrier = await StartCarrierAsync();
        var (domain, caller) = await NewDomainAsync();
        await AddTrunkAsync(domain, "main", carrier.Address);
        await RouteAsync(domain, "00.", "main");
        const string international = "0044201234567";

        await using var browser = await PopupBrowser.CreateAsync(fixture, Host);
        var popup = await browser.OpenAsync(Host, "?destnumber=" + international);
        await popup.LoginAsync(caller, remember: false);
        await popup.ExpectStateAsync("failed", "not_permitted");

        var record = await CallRecords.WaitForAsync(Host, r => r.From == caller.Account && r.Destination == international);
        Assert.Equal("not_permitted", record.Reason);
        Assert.DoesNotContain(await carrier.ReceivedInvitesAsync(), i => i.RequestUser == international);
    }

    [Fact]
    public async Task The_concurrent_call_limit_holds_a_second_call_back()
    {
        await using var carrier = await StartCarrierAsync();
        await using var publicPhone = await StartPublicPhoneAsync(carrier);
        var (domain, caller) = await NewDomainAsync();
        await AddTrunkAsync(domain, "main", carrier.Address);
        await RouteAsync(domain, "555XXXX", "main");
        await Policy.SetLimitsAsync(domain, caller.Number, new CallLimits(1, null));

        await using var first = await PopupBrowser.CreateAsync(fixture, Host);
        var one = await first.OpenAsync(Host, "?destnumber=" + PublicNumber);
        await one.LoginAsync(caller, remember: false);
        await one.ExpectStateAsync("connected");

        await using var second = await PopupBrowser.CreateAsync(fixture, Host);
        var two = await second.OpenAsync(Host, "?destnumber=" + PublicNumber);
        await two.LoginAsync(caller, remember: false);
        await two.ExpectStateAsync("failed", "not_permitted");
        await one.ExpectStateAsync("connected");

        await one.ClickAsync("#hangup");
        var relayed = (await carrier.ReceivedInvitesAsync()).Count(i => i.Outcome == CarrierOutcome.Relayed && i.RequestUser == PublicNumber);
        Assert.Equal(1, relayed);
    }

    [Fact]
    public async Task An_inbound_call_to_a_did_reaches_the_ivr_and_keypad_digits_take_it_to_an_extension()
    {
        const string did = "4930123456";
        await using var carrier = await KamailioCarrier.StartAsync(new KamailioOptions
        {
            Domain = CarrierDomain,
            Users = [("pbxtrunk", "trunk-secret")],
            Dids = new Dictionary<string, string> { [did] = "pbxtrunk" },
        }, CancellationToken.None);
        var (domain, caller) = await NewDomainAsync();
        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        await Host.Admin.CreateExtensionAsync(domain, "101", "Bob", password, "sip-" + password);
        await using var bob = await BaresipAgent.StartAsync(new BaresipOptions
        {
            User = "101", Domain = domain, Registrar = "127.0.0.1:" + Host.SipUdpPort!.Value.ToString(CultureInfo.InvariantCulture),
            Password = "sip-" + password, AnswerMode = AnswerMode.Auto, ToneHz = 1000,
        }, CancellationToken.None);
        await bob.WaitRegisteredAsync();
        await Host.Admin.AddTrunkAsync(new Trunk(0, domain, "main", carrier.Address, SipTransportKind.Udp, "pbxtrunk", true, 0, CarrierDomain, CallerId, null,
            new Dictionary<string, string> { [did] = new Switchboard.Pbx.Services.ServiceOptions().IvrNumber }), "trunk-secret");
        await RouteAsync(domain, did, "main");
        var deadline = DateTime.UtcNow + Step;
        while (await Host.Admin.IsTrunkRegisteredAsync(domain, "main") != true && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        // The popup calls the public DID: out through the carrier, back in to the IVR, which answers with its menu.
        await using var browser = await PopupBrowser.CreateAsync(fixture, Host);
        var popup = await browser.OpenAsync(Host, "?destnumber=" + did);
        await popup.LoginAsync(caller, remember: false);
        await popup.ExpectStateAsync("connected");
        await popup.WaitForInboundAudioAsync(packets: 25);

        // "For support press 2": the digit crosses both PBX legs and the carrier's call as RFC 4733 and picks Bob.
        await popup.ClickAsync("button[data-digit=\"2\"]");
        await bob.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await popup.ClickAsync("#hangup");

        var inbound = await CallRecords.WaitForAsync(Host, r => r.Origin == $"trunk:main:{did}", TimeSpan.FromSeconds(20));
        Assert.Equal($"{CallerId}@{domain}", inbound.From);
        Assert.Equal("service:ivr>extension:101", inbound.Route);
        Assert.Equal("2", inbound.Digits);
        var outbound = await CallRecords.WaitForAsync(Host, r => r.From == caller.Account && r.Destination == did);
        Assert.Equal("trunk:main", outbound.Route);
    }

    [Fact]
    public async Task An_inbound_did_mapped_to_a_ring_group_rings_its_member()
    {
        const string did = "4930777000";
        var data = BrowserFixture.NewDataDirectory();
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "ivr.json"), """
            { "menus": [ { "name": "main", "options": { "1": "100" } } ],
              "ringGroups": [ { "name": "team", "members": ["101"], "ringTimeoutSeconds": 10 } ] }
            """);
        await using var host = await BrowserFixture.StartHostAsync(data, addressFailureLimit: 1000);
        try
        {
            await using var carrier = await KamailioCarrier.StartAsync(new KamailioOptions
            {
                Domain = CarrierDomain,
                Users = [("pbxtrunk", "trunk-secret"), (PublicNumber, "public-pw")],
                Dids = new Dictionary<string, string> { [did] = "pbxtrunk" },
            }, CancellationToken.None);
            await host.Admin.CreateDomainAsync("group.test");
            await host.Admin.CreateExtensionAsync("group.test", "101", "Bob", "web-pw-101", "sip-pw-101");
            await using var bob = await BaresipAgent.StartAsync(new BaresipOptions
            {
                User = "101", Domain = "group.test", Registrar = "127.0.0.1:" + host.SipUdpPort!.Value.ToString(CultureInfo.InvariantCulture),
                Password = "sip-pw-101", AnswerMode = AnswerMode.Auto,
            }, CancellationToken.None);
            await bob.WaitRegisteredAsync();
            await host.Admin.AddTrunkAsync(new Trunk(0, "group.test", "main", carrier.Address, SipTransportKind.Udp, "pbxtrunk", true, 0, CarrierDomain,
                Dids: new Dictionary<string, string> { [did] = "group:team" }), "trunk-secret");
            var deadline = DateTime.UtcNow + Step;
            while (await host.Admin.IsTrunkRegisteredAsync("group.test", "main") != true && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            // The public phone calls the DID through the carrier: the group's member rings and answers.
            await using var publicPhone = await StartPublicPhoneAsync(carrier);
            await publicPhone.DialAsync($"sip:{did}@{CarrierDomain}");
            await bob.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
            await publicPhone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
            await publicPhone.HangupAsync();

            var record = await CallRecords.WaitForAsync(host, r => r.Origin == $"trunk:main:{did}", TimeSpan.FromSeconds(20));
            Assert.Equal("group:team", record.Route);
            Assert.Equal($"{PublicNumber}@group.test", record.From);
            Assert.NotNull(record.AnsweredAt);
        }
        finally
        {
            BrowserFixture.TryDelete(data);
        }
    }

    private IPolicyStore Policy => Host.Services.GetRequiredService<IPolicyStore>();

    internal static Task<KamailioCarrier> StartCarrierAsync() =>
        KamailioCarrier.StartAsync(new KamailioOptions
        {
            Domain = CarrierDomain,
            Users = [("pbxtrunk", "trunk-secret"), (PublicNumber, "public-pw")],
        }, CancellationToken.None);

    internal static async Task<BaresipAgent> StartPublicPhoneAsync(KamailioCarrier carrier)
    {
        var phone = await BaresipAgent.StartAsync(new BaresipOptions
        {
            User = PublicNumber,
            Domain = CarrierDomain,
            Registrar = carrier.Address,
            Password = "public-pw",
            AnswerMode = AnswerMode.Auto,
            ToneHz = 1000,
        }, CancellationToken.None);
        try
        {
            await phone.WaitRegisteredAsync();
            return phone;
        }
        catch
        {
            await phone.DisposeAsync();
            throw;
        }
    }

    /// <summary>A domain of its own with extension 100 (default permissions: national yes, international no).</summary>
    private async Task<(string Domain, TestAccount Caller)> NewDomainAsync()
    {
        var domain = $"trunks{Interlocked.Increment(ref s_domains).ToString(CultureInfo.InvariantCulture)}.test";
        await Host.Admin.CreateDomainAsync(domain);
        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        await Host.Admin.CreateExtensionAsync(domain, "100", "Caller", password, "sip-" + password);
        return (domain, new TestAccount("100", "100@" + domain, password));
    }

    private Task<Trunk> AddTrunkAsync(string domain, string name, string proxy, bool register = true, SipTransportKind transport = SipTransportKind.Udp) =>
        Host.Admin.AddTrunkAsync(new Trunk(0, domain, name, proxy, transport, "pbxtrunk", register, 0, CarrierDomain, CallerId, CallerId),
            "trunk-secret");

    /// <summary>A dial rule to the trunk, and the same pattern on the click-to-call allow-list (empty by default).</summary>
    private async Task RouteAsync(string domain, string pattern, string trunk)
    {
        Assert.True(DialRule.TryCreate(pattern, trunk, 0, "", out var rule, out var error), error);
        await Policy.AddDialRuleAsync(domain, null, null, rule!);
        await Policy.AddAllowListAsync(domain, DialPattern.Parse(pattern));
    }
}
