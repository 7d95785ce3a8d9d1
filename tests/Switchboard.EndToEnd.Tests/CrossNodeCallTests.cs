using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.EndToEnd.Tests.Peers;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Registrar;
using Switchboard.Server;
using Switchboard.Server.Hosting;
using Switchboard.Storage.Tests.Engines;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// Issue 12, part 3: calls across nodes. Two nodes on one PostgreSQL and one Redis (throwaway servers on loopback), the
/// shipped Kamailio in front. A baresip that registers through the proxy lands on one node; a popup served by the other
/// node calls it, with audio both ways, DTMF and one call record. The other way round, a baresip registered straight
/// with that other node is called from a popup of the first (docs/scale-out.md, "Calls across nodes"). And phones held
/// over TCP straight by one node, called from the other through the holding node's hop, both ways, one held over TLS the
/// same way, and a browser softphone
/// (phone.htm) held over its WebSocket by one node, called from the other.
/// </summary>
[Collection(PopupGroup.Name)]
public sealed class CrossNodeCallTests(BrowserFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);
    private const double FakeMicrophoneHz = 400;
    private readonly string[] _data = [BrowserFixture.NewDataDirectory(), BrowserFixture.NewDataDirectory()];
    private readonly PbxHost?[] _nodes = new PbxHost?[2];

    private string _store = "";

    public async Task InitializeAsync()
    {
        var store = _store = await PostgresCluster.CreateDatabaseAsync("sb_cross");
        var redis = (await RedisServer.SharedAsync()).Configuration;
        _nodes[0] = await StartNodeAsync(_data[0], store, redis);

        // The second node reads the SIP passwords the first one encrypted: it needs the same secrets key.
        File.Copy(Path.Combine(_data[0], "secrets.key"), Path.Combine(_data[1], "secrets.key"));
        _nodes[1] = await StartNodeAsync(_data[1], store, redis);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        foreach (var data in _data)
        {
            BrowserFixture.TryDelete(data);
        }
    }

    [Fact]
    public async Task A_phone_registered_through_one_node_is_called_from_a_popup_of_the_other_and_back()
    {
        var caller = await fixture.NewExtensionAsync(_nodes[0]!);
        var viaProxy = await fixture.NewExtensionAsync(_nodes[0]!);
        var direct = await fixture.NewExtensionAsync(_nodes[0]!);

        await using var proxy = await KamailioDispatcher.StartAsync(_nodes.Select(n => n!.SipUdpPort!.Value), CancellationToken.None);
        await using var proxied = await BaresipAgent.StartAsync(PhoneOptions(viaProxy, proxy.Address), CancellationToken.None);
        await proxied.WaitRegisteredAsync();
        var holder = await HolderAsync(viaProxy);
        var other = 1 - holder;

        // The other node never saw the REGISTER; it knows the binding from Redis, and reaches the phone through the proxy.
        await CallAndHangUpAsync(_nodes[other]!, caller, viaProxy, proxied, proxy);

        // The way back: a phone registered with the other node itself is called from a popup of the first.
        var otherPort = _nodes[other]!.SipUdpPort!.Value.ToString(CultureInfo.InvariantCulture);
        await using var straight = await BaresipAgent.StartAsync(PhoneOptions(direct, "127.0.0.1:" + otherPort), CancellationToken.None);
        await straight.WaitRegisteredAsync();
        Assert.Equal(other, await HolderAsync(direct));
        await CallAndHangUpAsync(_nodes[holder]!, caller, direct, straight, proxy);
    }

    /// <summary>
    /// A phone whose TCP connection one node holds is reached from the other through the holding node's hop: the caller's
    /// node sends the INVITE to it, and it forwards over the connection. Rings, answers, audio both ways, a digit, the
    /// phone's hang-up crossing the hop back, one record; then the way back, ended from the popup's side.
    /// </summary>
    [Fact]
    public async Task A_phone_held_over_tcp_by_one_node_is_called_through_its_hop_from_the_other_and_back()
    {
        var caller = await fixture.NewExtensionAsync(_nodes[0]!);
        var onB = await fixture.NewExtensionAsync(_nodes[0]!);
        var onA = await fixture.NewExtensionAsync(_nodes[0]!);

        await using var phoneB = await BaresipAgent.StartAsync(TcpPhoneOptions(onB, _nodes[1]!), CancellationToken.None);
        await phoneB.WaitRegisteredAsync();
        Assert.Equal(1, await HolderAsync(onB));
        await ExpectHopBindingAsync(_nodes[0]!, onB, _nodes[1]!);

        await CallAndHangUpAsync(_nodes[0]!, caller, onB, phoneB, proxy: null);

        await using var phoneA = await BaresipAgent.StartAsync(TcpPhoneOptions(onA, _nodes[0]!), CancellationToken.None);
        await phoneA.WaitRegisteredAsync();
        Assert.Equal(0, await HolderAsync(onA));
        await ExpectHopBindingAsync(_nodes[1]!, onA, _nodes[0]!);
        await using var browser = await PopupBrowser.CreateAsync(fixture, _nodes[1]!, stubClose: false);
        var popup = await browser.OpenAsync(_nodes[1]!, "?destnumber=" + onA.Number);
        await popup.LoginAsync(caller, remember: false);
        await popup.ExpectStateAsync("connected");
        await phoneA.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await popup.WaitForInboundAudioAsync(packets: 50);
        await popup.ClickAsync("#hangup");
        await phoneA.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        var record = await CallRecords.WaitForAsync(_nodes[1]!, r => r.From == caller.Account && r.Destination == onA.Number);
        Assert.Equal("hangup", record.Reason);
        Assert.Single(await _nodes[0]!.Admin.ListCallRecordsAsync(), r => r.From == caller.Account && r.Destination == onA.Number);
    }

    /// <summary>
    /// The same through the hop over TLS: a baresip registered straight with node B's TLS SIP listener (its self-signed
    /// certificate), called from a popup of node A. B's hop forwards A's INVITE over the TLS connection with a
    /// <c>transport=tls</c> Record-Route; rings (auto-answer), answers, audio both ways, a digit, the phone's BYE back
    /// across the hop, one record.
    /// </summary>
    [Fact]
    public async Task A_phone_held_over_tls_by_one_node_is_called_through_its_hop_from_the_other()
    {
        var caller = await fixture.NewExtensionAsync(_nodes[0]!);
        var onB = await fixture.NewExtensionAsync(_nodes[0]!);

        var registrar = "127.0.0.1:" + _nodes[1]!.SipTlsPort!.Value.ToString(CultureInfo.InvariantCulture);
        await using var phoneB = await BaresipAgent.StartAsync(PhoneOptions(onB, registrar) with { Transport = SipTransport.Tls }, CancellationToken.None);
        await phoneB.WaitRegisteredAsync();
        Assert.Equal(1, await HolderAsync(onB));
        Assert.Equal(Sip.Transport.SipTransportKind.Tls, await HeldOverAsync(_nodes[1]!, onB));
        await ExpectHopBindingAsync(_nodes[0]!, onB, _nodes[1]!);

        await CallAndHangUpAsync(_nodes[0]!, caller, onB, phoneB, proxy: null);
    }

    /// <summary>
    /// A third node whose SIP sent-by is a name (<c>--sip-advertise localhost</c>, resolved by the system's resolver off the
    /// SIP loop to 127.0.0.1): it offers its hop at that address, so a browser softphone it holds over its WebSocket is
    /// called from a popup of node A; and as the calling node, its popup calls a TCP phone of node A, whose BYE reaches it
    /// through A's hop though its Contact is the name (docs/scale-out.md, "A node known by a name"). (baresip cannot be the
    /// phone of the named node here: its resolver, libre's, asks a DNS server and reads no hosts file, and this private
    /// network has none, so it could not send to the name in the hop's Record-Route.)
    /// </summary>
    [Fact]
    public async Task A_node_whose_sent_by_is_a_name_offers_its_hop_and_calls_through_another()
    {
        var caller = await fixture.NewExtensionAsync(_nodes[0]!);
        var onA = await fixture.NewExtensionAsync(_nodes[0]!);
        var data = BrowserFixture.NewDataDirectory();
        File.Copy(Path.Combine(_data[0], "secrets.key"), Path.Combine(data, "secrets.key"));
        var named = await BrowserFixture.StartHostAsync(data, addressFailureLimit: 1000, store: _store, redis: (await RedisServer.SharedAsync()).Configuration,
            sip: SipHostOptions.Ephemeral with { AdvertisedHost = "localhost" });
        try
        {
            Assert.StartsWith("localhost:", named.Services.GetRequiredService<Sip.Transport.SipTransportHub>().SentBy(Sip.Transport.SipTransportKind.Udp), StringComparison.Ordinal);
            // The hop Route the named node shares names the address, which node A needs no resolver for.
            await CallBrowserSoftphoneAsync(holder: named, calling: _nodes[0]!);

            await using var phoneA = await BaresipAgent.StartAsync(TcpPhoneOptions(onA, _nodes[0]!), CancellationToken.None);
            await phoneA.WaitRegisteredAsync();
            await ExpectHopBindingAsync(named, onA, _nodes[0]!);
            await CallAndHangUpAsync(named, caller, onA, phoneA, proxy: null);
        }
        finally
        {
            await named.DisposeAsync();
            BrowserFixture.TryDelete(data);
        }
    }

    [Fact]
    public async Task A_browser_softphone_held_over_its_websocket_by_one_node_is_called_from_the_other_through_the_hop() =>
        await CallBrowserSoftphoneAsync(holder: _nodes[1]!, calling: _nodes[0]!);

    /// <summary>
    /// phone.htm registers over <paramref name="holder"/>'s SIP WebSocket; <paramref name="calling"/> knows the agent
    /// through the holder's hop and must offer WebRTC. Rings, answers, audio both ways, the agent's BYE crosses the hop.
    /// </summary>
    private async Task CallBrowserSoftphoneAsync(PbxHost holder, PbxHost calling)
    {
        var caller = await fixture.NewExtensionAsync(_nodes[0]!);
        var agent = await fixture.NewExtensionAsync(_nodes[0]!);

        await using var agentBrowser = await PhoneBrowser.CreateAsync(fixture);
        var phone = await agentBrowser.OpenAsync(holder);
        await phone.LoginAsync(agent, remember: false);
        await Microsoft.Playwright.Assertions.Expect(phone.Locator("body")).ToHaveAttributeAsync("data-registered", "true");
        await ExpectHopBindingAsync(calling, agent, holder);

        await using var browser = await PopupBrowser.CreateAsync(fixture, calling, stubClose: false);
        var popup = await browser.OpenAsync(calling, "?destnumber=" + agent.Number);
        await popup.LoginAsync(caller, remember: false);
        await phone.ExpectStateAsync("incoming");
        await phone.ClickAsync("#answer");
        try
        {
            await phone.ExpectStateAsync("connected");
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"the agent's answer did not connect; PBX log:\n{RecentPbxLog.Instance.Tail()}", e);
        }

        await popup.ExpectStateAsync("connected");
        await phone.WaitForInboundAudioAsync(packets: 50);
        await popup.WaitForInboundAudioAsync(packets: 50);

        // The agent's BYE goes over its WebSocket to the holder, which hands it through the hop to the calling node's call.
        await phone.ClickAsync("#hangup");
        await phone.ExpectStateAsync("idle", "hangup");
        await popup.ExpectStateAsync("ended", "remote_hangup");
        var record = await CallRecords.WaitForAsync(calling, r => r.From == caller.Account && r.Destination == agent.Number);
        Assert.Equal(("remote_hangup", "callee"), (record.Reason, record.EndedBy));
        Assert.Single(await holder.Admin.ListCallRecordsAsync(), r => r.From == caller.Account && r.Destination == agent.Number);
    }

    /// <summary>The node that does not hold the phone knows it as a UDP binding to the holder's SIP address, with the hop's Route.</summary>
    private static async Task ExpectHopBindingAsync(PbxHost caller, TestAccount callee, PbxHost holder)
    {
        var extension = (await caller.Services.GetRequiredService<IDirectoryStore>().FindExtensionAsync(BrowserFixture.Domain, callee.Number))!;
        var locations = caller.Services.GetRequiredService<LocationService>();
        var deadline = DateTimeOffset.UtcNow + Step;
        while (locations.Lookup(extension.Id, DateTimeOffset.UtcNow).Count == 0 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var binding = Assert.Single(locations.Lookup(extension.Id, DateTimeOffset.UtcNow));
        Assert.NotNull(binding.Node);
        Assert.Equal(holder.SipUdpPort, binding.Flow.Remote.Port);
        Assert.Equal("<sip:127.0.0.1:" + holder.SipUdpPort!.Value.ToString(CultureInfo.InvariantCulture) + ";lr;sbhop>", binding.Path![0]);
    }

    private static BaresipOptions TcpPhoneOptions(TestAccount account, PbxHost node) => PhoneOptions(account,
        "127.0.0.1:" + node.SipTcpPort!.Value.ToString(CultureInfo.InvariantCulture)) with { Transport = SipTransport.Tcp };

    private async Task CallAndHangUpAsync(PbxHost node, TestAccount caller, TestAccount callee, BaresipAgent phone, KamailioDispatcher? proxy)
    {
        await using var browser = await PopupBrowser.CreateAsync(fixture, node, stubClose: false);
        var popup = await browser.OpenAsync(node, "?destnumber=" + callee.Number);
        await popup.LoginAsync(caller, remember: false);
        try
        {
            await popup.ExpectStateAsync("connected");
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"the call to {callee.Number} did not connect; proxy log:\n{proxy?.LogTail}\nPBX log:\n{RecentPbxLog.Instance.Tail()}", e);
        }

        try
        {
            await phone.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"the phone never saw the call established; PBX log:\n{RecentPbxLog.Instance.Tail()}", e);
        }

        await popup.WaitForInboundAudioAsync(packets: 50);
        await popup.ClickAsync("button[data-digit=\"5\"]");
        var dtmf = await SipPhoneTests.WaitForDtmfAsync(phone, '5', await popup.StatusAsync());
        Assert.Equal("5", dtmf.Param);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await phone.HangupAsync();
        await phone.WaitForEventAsync(BaresipEvent.CallClosed, Step);

        // One record, in the shared store, whichever node reads it.
        var record = await CallRecords.WaitForAsync(node, r => r.From == caller.Account && r.Destination == callee.Number);
        Assert.Equal("remote_hangup", record.Reason);
        Assert.Equal("5", record.Digits);
        Assert.Single(await _nodes[0]!.Admin.ListCallRecordsAsync(), r => r.From == caller.Account && r.Destination == callee.Number);

        var recording = await phone.RecordingsAsync();
        var received = recording.Received.From(TimeSpan.FromSeconds(0.5));
        var share = ToneDetector.PowerShare(received, recording.Received.SampleRate, FakeMicrophoneHz);
        Assert.True(share > 0.15, string.Create(CultureInfo.InvariantCulture, $"the phone should hear the browser's 400 Hz beep: share {share:F2}"));
    }

    /// <summary>The transport of the connection <paramref name="holder"/>'s own registrar holds for the extension.</summary>
    private static async Task<Sip.Transport.SipTransportKind> HeldOverAsync(PbxHost holder, TestAccount account)
    {
        var extension = (await holder.Services.GetRequiredService<IDirectoryStore>().FindExtensionAsync(BrowserFixture.Domain, account.Number))!;
        return Assert.Single(holder.Services.GetRequiredService<LocationService>().LookupOwn(extension.Id, DateTimeOffset.UtcNow)).Flow.Transport;
    }

    /// <summary>Which node's own registrar holds the extension's binding (the proxy picks by a hash of the Call-ID).</summary>
    private async Task<int> HolderAsync(TestAccount account)
    {
        var extension = (await _nodes[0]!.Services.GetRequiredService<IDirectoryStore>().FindExtensionAsync(BrowserFixture.Domain, account.Number))!;
        for (var i = 0; i < _nodes.Length; i++)
        {
            if (_nodes[i]!.Services.GetRequiredService<LocationService>().LookupOwn(extension.Id, DateTimeOffset.UtcNow).Count > 0)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"no node holds the registration of {account.Number}");
    }

    private static BaresipOptions PhoneOptions(TestAccount account, string registrar) => new()
    {
        User = account.Number,
        Domain = BrowserFixture.Domain,
        Registrar = registrar,
        Password = "sip-" + account.Password,
        AnswerMode = AnswerMode.Auto,
        ToneHz = 1000,
    };

    private static Task<PbxHost> StartNodeAsync(string data, string store, string redis) =>
        BrowserFixture.StartHostAsync(data, addressFailureLimit: 1000, store: store, redis: redis);
}
