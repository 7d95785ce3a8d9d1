using System.Globalization;
using Switchboard.Sip.Auth;

namespace Switchboard.EndToEnd.Tests.Peers;

/// <summary>
/// The stand-in carrier with real peers and no PBX: digest registration, a call between two
/// registered baresips through it, the INVITE log (From, P-Asserted-Identity, 404), and a DID routed
/// to the trunk user's contact with the DID kept in the request-URI.
/// </summary>
public sealed class KamailioCarrierSelfTests
{
    private const string Realm = "carrier.test";
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);

    private static readonly KamailioOptions Carrier = new()
    {
        Domain = Realm,
        Users = [("trunk1", "trunk-secret"), ("5551234", "alice-pw"), ("5559876", "bob-pw")],
        Dids = new Dictionary<string, string> { ["4930123456"] = "trunk1", ["4940*"] = "trunk1" },
    };

    [Fact]
    public async Task Baresip_registers_with_digest_and_a_wrong_password_is_refused()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var carrier = await KamailioCarrier.StartAsync(Carrier, test.Token);
        await using var good = await BaresipAgent.StartAsync(Phone(carrier, "5551234", "alice-pw"), test.Token);
        await using var bad = await BaresipAgent.StartAsync(Phone(carrier, "5559876", "not-bobs"), test.Token);

        await good.WaitRegisteredAsync();
        // baresip 1.0.0 reports a refused digest only in its log (no REGISTER_FAIL event), after its retry.
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => bad.WaitRegisteredAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("5559876@carrier.test: 401 Unauthorized", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_registered_phones_call_through_the_carrier_with_audio_both_ways_and_dtmf()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        await using var carrier = await KamailioCarrier.StartAsync(Carrier, test.Token);
        await using var alice = await BaresipAgent.StartAsync(Phone(carrier, "5551234", "alice-pw") with { ToneHz = 440 }, test.Token);
        await using var bob = await BaresipAgent.StartAsync(Phone(carrier, "5559876", "bob-pw") with { ToneHz = 1000 }, test.Token);
        await alice.WaitRegisteredAsync();
        await bob.WaitRegisteredAsync();

        await alice.DialAsync($"sip:5559876@{Realm}", test.Token);
        await alice.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await bob.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await Task.Delay(TimeSpan.FromSeconds(2), test.Token); // audio flowing both ways
        await alice.SendDtmfAsync("42#", test.Token);
        var keys = new List<string?>();
        for (var i = 0; i < 3; i++) keys.Add((await bob.WaitForEventAsync(BaresipEvent.CallDtmfStart, Step)).Param);
        Assert.Equal(["4", "2", "#"], keys);
        await alice.HangupAsync(test.Token); // BYE follows the Record-Route through the carrier
        await alice.WaitForEventAsync(BaresipEvent.CallClosed, Step);
        Assert.Null((await bob.WaitForEventAsync(BaresipEvent.CallClosed, Step)).StatusCode);

        BaresipSelfTests.AssertTone((await bob.RecordingsAsync()).Received, 440, "bob received alice's tone");
        BaresipSelfTests.AssertTone((await alice.RecordingsAsync()).Received, 1000, "alice received bob's tone");
        var relayed = Assert.Single(await carrier.ReceivedInvitesAsync(test.Token), i => i.Outcome == CarrierOutcome.Relayed);
        Assert.Equal(("5551234", "5551234", "5559876"), (relayed.FromUser, relayed.AuthUser, relayed.RequestUser));
        Assert.Contains($"@127.0.0.1:{bob.SipPort.ToString(CultureInfo.InvariantCulture)}", relayed.Target, StringComparison.Ordinal); // bob's contact
    }

    [Fact]
    public async Task Invite_log_shows_from_user_and_p_asserted_identity_and_an_unknown_number_gets_404()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var carrier = await KamailioCarrier.StartAsync(Carrier, test.Token);
        Assert.Empty(await carrier.ReceivedInvitesAsync(test.Token));

        using var raw = new RawSipUdp();
        var callId = "pai-" + Guid.NewGuid().ToString("N");
        await raw.SendAsync(Invite(raw, "4971112345", callId, "\"Reception\" <sip:4930123456@carrier.test>"), carrier.EndPoint, test.Token);
        var challenge = await raw.ReceiveAsync(m => RawSipUdp.Header(m, "Call-ID") == callId, Step, test.Token);
        Assert.Equal(407, RawSipUdp.StatusCode(challenge));

        await using var alice = await BaresipAgent.StartAsync(Phone(carrier, "5551234", "alice-pw"), test.Token);
        await alice.WaitRegisteredAsync();
        await alice.DialAsync($"sip:4900000000@{Realm}", test.Token);
        Assert.Equal(404, (await alice.WaitForEventAsync(BaresipEvent.CallClosed, Step)).StatusCode);

        var invites = await carrier.ReceivedInvitesAsync(test.Token);
        var fromRaw = Assert.Single(invites, i => i.CallId == callId);
        Assert.Equal(
            new CarrierInvite(CarrierOutcome.Challenged, callId, "trunk1", "4971112345", $"sip:4971112345@{Realm}", null, null, "\"Reception\" <sip:4930123456@carrier.test>"),
            fromRaw);
        var notFound = Assert.Single(invites, i => i.Outcome == CarrierOutcome.NotFound);
        Assert.Equal(("5551234", "5551234", "4900000000"), (notFound.FromUser, notFound.AuthUser, notFound.RequestUser));
    }

    [Theory]
    [InlineData("4930123456")]
    [InlineData("4940777")]
    public async Task A_did_reaches_the_trunk_users_contact_with_the_did_in_the_request_uri(string did)
    {
        using var test = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var carrier = await KamailioCarrier.StartAsync(Carrier, test.Token);
        using var trunk = new RawSipUdp();
        await RegisterAsync(trunk, carrier, "trunk1", "trunk-secret", test.Token);
        await using var caller = await BaresipAgent.StartAsync(Phone(carrier, "5551234", "alice-pw"), test.Token);
        await caller.WaitRegisteredAsync();

        await caller.DialAsync($"sip:{did}@{Realm}", test.Token);
        var invite = await trunk.ReceiveAsync(m => m.StartsWith("INVITE ", StringComparison.Ordinal), Step, test.Token);
        Assert.StartsWith($"INVITE sip:{did}@{trunk.HostPort} SIP/2.0", invite, StringComparison.Ordinal);
        Assert.Contains(carrier.Address, RawSipUdp.Header(invite, "Record-Route"), StringComparison.Ordinal);
        await trunk.SendAsync(Response(invite, "486 Busy Here"), carrier.EndPoint, test.Token);
        Assert.Equal(486, (await caller.WaitForEventAsync(BaresipEvent.CallClosed, Step)).StatusCode);

        var relayed = Assert.Single(await carrier.ReceivedInvitesAsync(test.Token), i => i.Outcome == CarrierOutcome.Relayed);
        Assert.Equal(did, relayed.RequestUser);
        Assert.StartsWith($"sip:{did}@{trunk.HostPort}", relayed.Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_phone_on_tcp_calls_a_phone_on_udp_through_the_carrier()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var carrier = await KamailioCarrier.StartAsync(Carrier, test.Token);
        await using var alice = await BaresipAgent.StartAsync(Phone(carrier, "5551234", "alice-pw") with { Transport = SipTransport.Tcp }, test.Token);
        await using var bob = await BaresipAgent.StartAsync(Phone(carrier, "5559876", "bob-pw"), test.Token);
        await alice.WaitRegisteredAsync();
        await bob.WaitRegisteredAsync();

        await alice.DialAsync($"sip:5559876@{Realm}", test.Token);
        await bob.WaitForEventAsync(BaresipEvent.CallEstablished, Step);
        await bob.HangupAsync(test.Token); // the BYE crosses from UDP to TCP by the carrier's double Record-Route

        Assert.Null((await alice.WaitForEventAsync(BaresipEvent.CallClosed, Step)).StatusCode);
    }

    [Fact]
    public async Task Two_carriers_run_side_by_side()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var first = await KamailioCarrier.StartAsync(Carrier, test.Token);
        await using var second = await KamailioCarrier.StartAsync(Carrier, test.Token);

        Assert.NotEqual(first.UdpPort, second.UdpPort);
        Assert.Empty(await first.ReceivedInvitesAsync(test.Token));
        Assert.Empty(await second.ReceivedInvitesAsync(test.Token));
    }

    private static BaresipOptions Phone(KamailioCarrier carrier, string user, string password) =>
        new() { User = user, Domain = Realm, Registrar = carrier.Address, Password = password };

    /// <summary>REGISTER, answer the 401 with digest (Switchboard.Sip's client side), expect 200.</summary>
    private static async Task RegisterAsync(RawSipUdp ua, KamailioCarrier carrier, string user, string password, CancellationToken ct)
    {
        var callId = "reg-" + Guid.NewGuid().ToString("N");
        await ua.SendAsync(Register(ua, user, callId, 1, null), carrier.EndPoint, ct);
        var unauthorized = await ua.ReceiveAsync(m => RawSipUdp.Header(m, "Call-ID") == callId, Step, ct);
        Assert.Equal(401, RawSipUdp.StatusCode(unauthorized));
        Assert.True(DigestChallenge.TryParse(RawSipUdp.Header(unauthorized, "WWW-Authenticate"), out var challenge), unauthorized);
        var credentials = DigestClient.Answer(challenge, user, password, "REGISTER", $"sip:{Realm}", "c0ffee", 1);

        await ua.SendAsync(Register(ua, user, callId, 2, credentials.ToHeaderValue()), carrier.EndPoint, ct);
        var ok = await ua.ReceiveAsync(m => RawSipUdp.Header(m, "Call-ID") == callId && RawSipUdp.Header(m, "CSeq") == "2 REGISTER", Step, ct);
        Assert.True(RawSipUdp.StatusCode(ok) == 200, ok + "\nlog:\n" + carrier.LogTail);
    }

    private static string Register(RawSipUdp ua, string user, string callId, int cseq, string? authorization) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            REGISTER sip:{Realm} SIP/2.0
            Via: SIP/2.0/UDP {ua.HostPort};branch=z9hG4bK{Guid.NewGuid():N};rport
            Max-Forwards: 70
            From: <sip:{user}@{Realm}>;tag=reg
            To: <sip:{user}@{Realm}>
            Call-ID: {callId}
            CSeq: {cseq} REGISTER
            Contact: <sip:{user}@{ua.HostPort}>
            Expires: 300
            {(authorization is null ? "" : "Authorization: " + authorization + "\n")}Content-Length: 0


            """);

    /// <summary>An INVITE from the trunk's account with a caller ID in P-Asserted-Identity (no SDP: it is only logged).</summary>
    private static string Invite(RawSipUdp ua, string number, string callId, string assertedIdentity) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            INVITE sip:{number}@{Realm} SIP/2.0
            Via: SIP/2.0/UDP {ua.HostPort};branch=z9hG4bK{Guid.NewGuid():N};rport
            Max-Forwards: 70
            From: <sip:trunk1@{Realm}>;tag=raw
            To: <sip:{number}@{Realm}>
            Call-ID: {callId}
            CSeq: 1 INVITE
            Contact: <sip:trunk1@{ua.HostPort}>
            P-Asserted-Identity: {assertedIdentity}
            Content-Length: 0


            """);

    /// <summary>A final response to <paramref name="request"/> (RFC 3261 section 8.2.6: Vias, From, Call-ID, CSeq copied, To tagged).</summary>
    private static string Response(string request, string status)
    {
        var head = request.Split("\r\n\r\n")[0].Split("\r\n");
        var copied = head.Where(l => l.StartsWith("Via:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("v:", StringComparison.Ordinal)
            || l.StartsWith("From:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("Call-ID:", StringComparison.OrdinalIgnoreCase)
            || l.StartsWith("CSeq:", StringComparison.OrdinalIgnoreCase));
        var to = RawSipUdp.Header(request, "To") + ";tag=uas";
        return $"SIP/2.0 {status}\n{string.Join('\n', copied)}\nTo: {to}\nContent-Length: 0\n\n";
    }
}
