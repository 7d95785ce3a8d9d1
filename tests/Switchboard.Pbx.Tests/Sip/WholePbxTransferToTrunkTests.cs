using System.Net;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Tests.Fakes;
using Switchboard.Pbx.Trunks;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;
using static Switchboard.Pbx.Tests.Sip.WholePbxTests;

namespace Switchboard.Pbx.Tests.Sip;

/// <summary>
/// Blind transfer to an external number over the PBX's real SIP stack: Alice (100) calls Bob (101), who answers and
/// refers her to 5551234; the dial plan sends that out through the trunk, whose carrier is a scripted SIP peer on the
/// in-memory network that challenges with digest and answers as the carrier would; RTP crosses on loopback.
/// </summary>
public sealed class WholePbxTransferToTrunkTests
{
    private const string Outside = "5551234";
    private const string CarrierDomain = "carrier.test";
    private const string Account = "acct";
    private const string Password = "carrier-secret";
    private static readonly IPEndPoint CarrierAddress = new(IPAddress.Parse("10.0.0.9"), 5062);

    [Fact]
    public async Task The_carrier_answers_after_digest_the_caller_hears_it_and_the_transferor_is_charged_and_shown()
    {
        var policy = await PolicyAsync();

        // Alice may not call out at all: the transfer's lease must be Bob's, not hers.
        await policy.SetLimitsAsync(PbxUnderTest.Domain, "100", new CallLimits(0, 0));
        await using var pbx = await StartAsync(policy);
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;
        using var carrier = Carrier(pbx);

        await ReferAcceptedAsync(bob);

        // The carrier is called as for Bob's own call out: Bob's number as the caller ID (the trunk sets no From user).
        var invite = await carrier.WaitForRequestAsync("INVITE");
        Assert.Equal($"sip:{Outside}@{CarrierDomain}", invite.RequestUri.ToString());
        Assert.Equal("101", invite.From.Uri.User);
        Assert.Contains("\"Bob\"", invite.From.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, pbx.Limiter!.Active($"101@{PbxUnderTest.Domain}"));
        Assert.Equal(0, pbx.Limiter.Active($"100@{PbxUnderTest.Domain}"));

        // RFC 3261 section 22.2: the carrier's 407 is answered with the trunk's account.
        var digest = new DigestServer(new byte[32]);
        carrier.Respond(invite.CreateChallengeResponse(digest.CreateChallenges(CarrierDomain, DateTimeOffset.UtcNow), SipIds.NewTag(), proxy: true));
        var retry = await carrier.WaitForRequestAsync("INVITE");
        Assert.True(retry.TryGetDigestCredentials(CarrierDomain, proxy: true, out var credentials));
        Assert.Equal(Account, credentials.Username);
        Assert.Equal(DigestVerifyStatus.Ok, digest.Verify(credentials, "INVITE", CarrierDomain, Password, DateTimeOffset.UtcNow));

        await carrier.AnswerAsync(retry);
        var done = await NextReferNotifyAsync(bob, "SIP/2.0 200 OK");
        Assert.StartsWith("terminated", done.GetHeaderValue("Subscription-State"), StringComparison.Ordinal);
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);

        // Alice's own media session reaches the carrier now, and the carrier's comes back to her.
        await alice.Rtp.SendAsync(Rtp(0, 9, 160), alice.RemoteRtp());
        Assert.Equal(172, (await ReceiveAsync(carrier, p => (p[1] & 0x7f) == 0)).Length);
        await carrier.Rtp.SendAsync(Rtp(0, 1, 160), carrier.RemoteRtp());
        Assert.Equal(172, (await ReceiveAsync(alice, p => (p[1] & 0x7f) == 0)).Length);

        await alice.SendInDialogAsync(SipMethod.Bye);
        carrier.Reply(await carrier.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal(($"extension>transfer>trunk:carrier:{Outside}", "hangup", $"100@{PbxUnderTest.Domain}"), (record.Route, record.Reason, record.From));
        Assert.Equal(0, pbx.Limiter.Active($"101@{PbxUnderTest.Domain}"));
    }

    [Fact]
    public async Task A_busy_carrier_gives_the_transferor_486_and_its_call_back_and_its_lease_back_for_the_next_try()
    {
        var policy = await PolicyAsync();

        // One call out at a time for Bob: the second try only gets a place if the first one's was given back.
        await policy.SetLimitsAsync(PbxUnderTest.Domain, "101", new CallLimits(1, null));
        await using var pbx = await StartAsync(policy);
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;
        using var carrier = Carrier(pbx);

        await ReferAcceptedAsync(bob);
        await carrier.AnswerAsync(await carrier.WaitForRequestAsync("INVITE"), 486);
        await NextReferNotifyAsync(bob, "SIP/2.0 486 Busy Here");

        // Bob is Alice's callee again: her audio reaches him.
        await alice.Rtp.SendAsync(Rtp(0, 20, 160), alice.RemoteRtp());
        Assert.Equal(172, (await ReceiveAsync(bob, p => (p[1] & 0x7f) == 0)).Length);

        // The next try is taken (the call's loop gave the lease back before it read this REFER), and this time the carrier answers.
        await ReferAcceptedAsync(bob);
        var second = await carrier.WaitForRequestAsync("INVITE");
        Assert.Equal(1, pbx.Limiter!.Active($"101@{PbxUnderTest.Domain}"));
        await carrier.AnswerAsync(second);
        await NextReferNotifyAsync(bob, "SIP/2.0 200 OK");
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);

        await carrier.SendInDialogAsync(SipMethod.Bye);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal(($"extension>transfer>trunk:carrier:{Outside}", "remote_hangup"), (record.Route, record.Reason));
        Assert.Equal(0, pbx.Limiter.Active($"101@{PbxUnderTest.Domain}"));
    }

    [Fact]
    public async Task A_transferor_not_permitted_the_numbers_class_hears_403_keeps_the_call_and_nothing_reaches_the_carrier()
    {
        var policy = await PolicyAsync();
        await policy.SetPermissionsAsync(PbxUnderTest.Domain, "101", new HashSet<NumberClass>());
        await using var pbx = await StartAsync(policy);
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;
        using var carrier = Carrier(pbx);

        await ReferAcceptedAsync(bob);
        await NextReferNotifyAsync(bob, "SIP/2.0 403 Forbidden");

        await alice.Rtp.SendAsync(Rtp(0, 20, 160), alice.RemoteRtp());
        Assert.Equal(172, (await ReceiveAsync(bob, p => (p[1] & 0x7f) == 0)).Length);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => carrier.WaitForRequestAsync("INVITE"));

        await bob.SendInDialogAsync(SipMethod.Bye);
        alice.Reply(await alice.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal("extension", record.Route);
    }

    [Fact]
    public async Task An_agent_transfers_the_number_it_called_out_to_another_and_each_carrier_leg_holds_a_lease_of_its_own()
    {
        var policy = await PolicyAsync();
        await using var pbx = await StartAsync(policy);
        using var alice = pbx.Phone("100", 2);
        await alice.RegisterAsync();
        using var carrier = Carrier(pbx);
        var agent = $"100@{PbxUnderTest.Domain}";

        // Alice calls out: one channel, one lease.
        var call = alice.CallAsync("5550001");
        await carrier.AnswerAsync(await carrier.WaitForRequestAsync("INVITE"));
        Assert.Equal(200, (await call).StatusCode);
        Assert.Equal(1, pbx.Limiter!.Active(agent));

        // She transfers the party she called to another number, which is busy: the transfer's own lease is given back,
        // the call's stays (its carrier leg still holds a channel).
        await ReferAcceptedAsync(alice);
        var busy = await carrier.WaitForRequestAsync("INVITE");
        Assert.Equal(2, pbx.Limiter.Active(agent));
        await carrier.AnswerAsync(busy, 486);
        await NextReferNotifyAsync(alice, "SIP/2.0 486 Busy Here");
        await ActiveBecomesAsync(pbx, agent, 1);

        // Again, answered: both carrier legs hold a channel until the call ends, and then neither does.
        await ReferAcceptedAsync(alice);
        await carrier.AnswerAsync(await carrier.WaitForRequestAsync("INVITE"));
        await NextReferNotifyAsync(alice, "SIP/2.0 200 OK");
        alice.Reply(await alice.WaitForRequestAsync("BYE"), 200);
        Assert.Equal(2, pbx.Limiter.Active(agent));
        await carrier.SendInDialogAsync(SipMethod.Bye);
        carrier.Reply(await carrier.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "5550001", TimeSpan.FromSeconds(5));
        Assert.Equal($"trunk:carrier>transfer>trunk:carrier:{Outside}", record.Route);
        await ActiveBecomesAsync(pbx, agent, 0);
    }

    /// <summary>The limiter's count for <paramref name="account"/> reaches <paramref name="expected"/> (the call's loop releases after it answers).</summary>
    private static async Task ActiveBecomesAsync(PbxUnderTest pbx, string account, int expected)
    {
        for (var waited = 0; pbx.Limiter!.Active(account) != expected && waited < 5000; waited += 10)
        {
            await Task.Delay(10);
        }

        Assert.Equal(expected, pbx.Limiter.Active(account));
    }

    /// <summary>The domain's rule: 555XXXX out through the trunk named carrier (default classes and limits otherwise).</summary>
    private static async Task<InMemoryPolicyStore> PolicyAsync()
    {
        var policy = new InMemoryPolicyStore();
        Assert.True(DialRule.TryCreate("555XXXX", "carrier", 0, "", out var rule, out var error), error);
        await policy.AddDialRuleAsync(PbxUnderTest.Domain, null, null, rule!);
        return policy;
    }

    /// <summary>The PBX with the trunk to the carrier: IP-authenticated for its calls in (no REGISTER), digest for ours out.</summary>
    private static Task<PbxUnderTest> StartAsync(InMemoryPolicyStore policy) => PbxUnderTest.StartAsync(policy: policy,
        trunk: (new Trunk(1, PbxUnderTest.Domain, "carrier", CarrierAddress.ToString(), SipTransportKind.Udp, Account, Register: false, Position: 0,
            CarrierDomain), Password));

    private static TestPhone Carrier(PbxUnderTest pbx) =>
        new(pbx.Network, CarrierAddress, PbxUnderTest.Address, "carrier", CarrierDomain, "unused");

    private static Task<SipResponse> ReferAsync(TestPhone transferor) =>
        transferor.SendInDialogAsync(SipMethod.Refer, null, null, ("Refer-To", $"<sip:{Outside}@{PbxUnderTest.Domain}>"));

    /// <summary>The transferor's REFER to the outside number: accepted (202), then NOTIFY 100 Trying (RFC 3515 section 2.4.5).</summary>
    private static async Task ReferAcceptedAsync(TestPhone transferor)
    {
        Assert.Equal(202, (await ReferAsync(transferor)).StatusCode);
        await NextReferNotifyAsync(transferor, "SIP/2.0 100 Trying");
    }
}
