using System.Buffers.Binary;
using System.Net;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Queues;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Tests.Sip;

/// <summary>
/// The PBX core end to end in one process: phones register with digest over the in-memory SIP network, one calls
/// the other, the callee rings and answers, RTP and DTMF cross the relay on loopback, and BYE ends it.
/// </summary>
public sealed class WholePbxTests
{
    [Fact]
    public async Task Register_call_ring_answer_dtmf_bye()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        using var alice = pbx.Phone("100", 2);
        using var bob = pbx.Phone("101", 3);
        Assert.Equal(200, (await alice.RegisterAsync()).StatusCode);
        Assert.Equal(200, (await bob.RegisterAsync()).StatusCode);

        var call = alice.CallAsync("101");
        var invite = await bob.WaitForRequestAsync("INVITE");
        Assert.Contains("sip:100@example.com", invite.From.ToString(), StringComparison.Ordinal);
        await bob.AnswerAsync(invite);
        var answered = await call;
        Assert.Equal(200, answered.StatusCode);

        // Audio from Alice reaches Bob through the PBX's two RTP legs, and back.
        var toPbxFromAlice = alice.RemoteRtp();
        var toPbxFromBob = bob.RemoteRtp();
        await alice.Rtp.SendAsync(Rtp(0, 1, 160), toPbxFromAlice);
        await bob.Rtp.SendAsync(Rtp(0, 1, 160), toPbxFromBob);
        var atBob = await ReceiveAsync(bob, p => (p[1] & 0x7f) == 0);
        var atAlice = await ReceiveAsync(alice, p => (p[1] & 0x7f) == 0);
        Assert.Equal(12 + 160, atBob.Length);
        Assert.Equal(12 + 160, atAlice.Length);

        // RFC 4733: digit 5, end bit after 800 samples; it crosses as telephone-event and the call records it.
        for (ushort seq = 2; seq < 5; seq++)
        {
            await alice.Rtp.SendAsync(Dtmf(seq, digit: 5, end: seq == 4, duration: (ushort)(seq == 4 ? 800 : 160 * (seq - 1))), toPbxFromAlice);
        }

        var dtmf = await ReceiveAsync(bob, p => (p[1] & 0x7f) == 101 && (p[13] & 0x80) != 0);
        Assert.Equal(5, dtmf[12]);

        var bye = await alice.SendInDialogAsync(SipMethod.Bye);
        Assert.Equal(200, bye.StatusCode);
        var byeAtBob = await bob.WaitForRequestAsync("BYE");
        bob.Reply(byeAtBob, 200);

        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal("hangup", record.Reason);
        Assert.Equal("caller", record.EndedBy);
        Assert.Equal("extension", record.Route);
        Assert.Equal("sip", record.Origin);
        Assert.NotNull(record.AnsweredAt);
        Assert.Equal("5", record.Digits);

        // Crash safety (docs/call-records.md, "Calls up when the PBX dies"): marked live when it rang and again when
        // answered, each marker the record it would have got had the process died then.
        var markers = pbx.Records.Markers.Where(m => m.CallId == record.CallId).ToList();
        Assert.Equal(2, markers.Count);
        Assert.All(markers, m => Assert.Equal(("interrupted", "pbx", "extension", record.StartedAt), (m.Reason, m.EndedBy, m.Route, m.StartedAt)));
        Assert.Null(markers[0].AnsweredAt);
        Assert.Equal(record.AnsweredAt, markers[1].AnsweredAt);
        Assert.InRange(markers[1].EndedAt, record.AnsweredAt!.Value, record.EndedAt);
    }

    [Fact]
    public async Task Digits_become_sip_info_for_a_phone_without_telephone_event()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        using var alice = pbx.Phone("100", 2);
        using var bob = pbx.Phone("101", 3);
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        var call = alice.CallAsync("101");
        var invite = await bob.WaitForRequestAsync("INVITE");
        await bob.AnswerAsync(invite, offerTelephoneEvent: false);
        Assert.Equal(200, (await call).StatusCode);

        for (ushort seq = 1; seq < 4; seq++)
        {
            await alice.Rtp.SendAsync(Dtmf(seq, digit: 11, end: seq == 3, duration: (ushort)(seq == 3 ? 800 : 160 * seq)), alice.RemoteRtp());
        }

        var info = await bob.WaitForRequestAsync("INFO");
        bob.Reply(info, 200);
        Assert.Equal("application/dtmf-relay", info.ContentType);
        Assert.Contains("Signal=#", System.Text.Encoding.UTF8.GetString(info.Body.Span), StringComparison.Ordinal);
        await bob.SendInDialogAsync(SipMethod.Bye);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal("remote_hangup", record.Reason);
        Assert.Equal("callee", record.EndedBy);
        await NoDialogsLeftAsync(pbx);
    }

    [Theory]
    [InlineData(486, "busy")]
    [InlineData(603, "declined")]
    [InlineData(480, "no_answer")]
    public async Task A_refusing_phone_gives_the_caller_the_reason(int status, string reason)
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        using var alice = pbx.Phone("100", 2);
        using var bob = pbx.Phone("101", 3);
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        var call = alice.CallAsync("101");
        var invite = await bob.WaitForRequestAsync("INVITE");
        await bob.AnswerAsync(invite, status);
        var final = await call;
        Assert.Equal(status == 480 ? 480 : status, final.StatusCode);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal(reason, record.Reason);
        await NoDialogsLeftAsync(pbx);
    }

    [Fact]
    public async Task An_unregistered_extension_is_unavailable_and_an_unknown_number_not_found()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        using var alice = pbx.Phone("100", 2);
        await alice.RegisterAsync();
        Assert.Equal(480, (await alice.CallAsync("101")).StatusCode);
        Assert.Equal(404, (await alice.CallAsync("555")).StatusCode);
    }

    [Fact]
    public async Task A_draining_pbx_refuses_a_phones_invite_503_and_ends_a_browsers_new_call_as_shutdown()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        using var alice = pbx.Phone("100", 2);
        await alice.RegisterAsync();
        pbx.Endpoint.RefuseNewRequests();
        pbx.Engine.RefuseNewCalls();

        Assert.Equal(503, (await alice.CallAsync("*43")).StatusCode);
        var caller = new Switchboard.Pbx.Directory.Extension(1, PbxUnderTest.Domain, "100", "Alice", DateTimeOffset.UnixEpoch);
        var page = new EndWatcher();
        pbx.Engine.Start(new CallRequest(caller, "*43", "v=0\r\n", "web", null), page);
        Assert.Equal(CallEndReason.Shutdown, await page.Ended.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        var record = await pbx.Records.WaitForAsync(r => r.Origin == "web", TimeSpan.FromSeconds(5));
        Assert.Equal("shutdown", record.Reason);
        Assert.Equal("pbx", record.EndedBy);
    }

    /// <summary>What a page would be told: only the end matters here.</summary>
    private sealed class EndWatcher : ICallObserver
    {
        public TaskCompletionSource<CallEndReason> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask OnTryingAsync(string callId) => ValueTask.CompletedTask;

        public ValueTask OnRingingAsync() => ValueTask.CompletedTask;

        public ValueTask OnAnswerSdpAsync(string sdp) => ValueTask.CompletedTask;

        public ValueTask OnConnectedAsync() => ValueTask.CompletedTask;

        public ValueTask OnEndedAsync(CallEndReason reason)
        {
            Ended.TrySetResult(reason);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_call_nobody_answers_is_cancelled_after_the_ring_timeout()
    {
        await using var pbx = await PbxUnderTest.StartAsync(new CallOptions { RingTimeout = TimeSpan.FromMilliseconds(600) });
        using var alice = pbx.Phone("100", 2);
        using var bob = pbx.Phone("101", 3);
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        var call = alice.CallAsync("101");
        var invite = await bob.WaitForRequestAsync("INVITE");
        var tag = SipIds.NewTag();
        bob.Reply(invite, 180);
        var cancel = await bob.WaitForRequestAsync("CANCEL");
        bob.Reply(cancel, 200);
        Assert.Equal(480, (await call).StatusCode);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal("no_answer", record.Reason);
        Assert.NotNull(tag);
    }

    [Fact]
    public async Task Every_registered_contact_rings_the_first_answer_wins_and_the_other_is_cancelled()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        using var alice = pbx.Phone("100", 2);
        using var desk = pbx.Phone("101", 3);
        using var mobile = pbx.Phone("101", 4);
        await alice.RegisterAsync();
        await desk.RegisterAsync();
        await mobile.RegisterAsync();

        var call = alice.CallAsync("101");
        var atDesk = await desk.WaitForRequestAsync("INVITE");
        var atMobile = await mobile.WaitForRequestAsync("INVITE");
        Assert.NotEqual(atDesk.CallId, atMobile.CallId);
        mobile.Reply(atMobile, 180);
        await desk.AnswerAsync(atDesk);
        Assert.Equal(200, (await call).StatusCode);

        // RFC 3261 section 9.1: the losing branch gets CANCEL for the INVITE it is ringing with.
        var cancel = await mobile.WaitForRequestAsync("CANCEL");
        Assert.Equal(atMobile.CallId, cancel.CallId);
        mobile.Reply(cancel, 200);
        mobile.Reply(atMobile, 487);

        await alice.SendInDialogAsync(SipMethod.Bye);
        desk.Reply(await desk.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal("hangup", record.Reason);
    }

    [Fact]
    public async Task Hold_and_resume_by_reinvite_keep_the_call_and_its_audio()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;

        var hold = await bob.SendInDialogAsync(SipMethod.Invite, bob.Offer("sendonly"), "application/sdp");
        Assert.Equal(200, hold.StatusCode);
        Assert.Contains("a=recvonly", System.Text.Encoding.UTF8.GetString(hold.Body.Span), StringComparison.Ordinal);
        var resume = await bob.SendInDialogAsync(SipMethod.Invite, bob.Offer("sendrecv"), "application/sdp");
        Assert.Equal(200, resume.StatusCode);
        Assert.Contains("a=sendrecv", System.Text.Encoding.UTF8.GetString(resume.Body.Span), StringComparison.Ordinal);

        // After resume, audio still crosses the relay from Alice to Bob.
        await alice.Rtp.SendAsync(Rtp(0, 7, 160), alice.RemoteRtp());
        Assert.Equal(172, (await ReceiveAsync(bob, p => (p[1] & 0x7f) == 0)).Length);

        // A digit by SIP INFO from the caller is recorded like an RFC 4733 one.
        var info = await alice.SendInDialogAsync(SipMethod.Info, "Signal=7\r\nDuration=160\r\n", "application/dtmf-relay");
        Assert.Equal(200, info.StatusCode);

        // A REFER without Refer-To is refused (RFC 3515 section 2.4.1), not taken with a 202, and the call goes on; a
        // method the PBX does not take is refused with what it does take (RFC 3261 section 8.2.1), REFER among them.
        var refer = await bob.SendInDialogAsync(SipMethod.Refer);
        Assert.Equal(400, refer.StatusCode);
        var update = await bob.SendInDialogAsync(SipMethod.Update);
        Assert.Equal(405, update.StatusCode);
        Assert.Contains("REFER", update.GetHeaderValue(SipHeaderId.Allow), StringComparison.Ordinal);
        await alice.SendInDialogAsync(SipMethod.Bye);
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal("7", record.Digits);
    }

    [Fact]
    public async Task The_callees_refer_puts_the_caller_through_to_the_target_with_notifies_and_bye_to_the_transferor()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;
        using var carol = pbx.Phone("102", 4);
        await carol.RegisterAsync();

        // RFC 3515 section 2.4: 202, then a NOTIFY of the new leg's progress in a message/sipfrag body.
        var refer = await bob.SendInDialogAsync(SipMethod.Refer, null, null, ("Refer-To", $"<sip:102@{PbxUnderTest.Domain}>"));
        Assert.Equal(202, refer.StatusCode);
        var trying = await NextReferNotifyAsync(bob, "SIP/2.0 100 Trying");
        Assert.Equal("refer", trying.GetHeaderValue(SipHeaderId.Event));
        Assert.StartsWith("active", trying.GetHeaderValue("Subscription-State"), StringComparison.Ordinal);
        Assert.StartsWith("message/sipfrag", trying.ContentType, StringComparison.Ordinal);

        // Carol rings and answers: Bob hears 200 in the last NOTIFY, then BYE.
        await carol.AnswerAsync(await carol.WaitForRequestAsync("INVITE"));
        var done = await NextReferNotifyAsync(bob, "SIP/2.0 200 OK");
        Assert.StartsWith("terminated", done.GetHeaderValue("Subscription-State"), StringComparison.Ordinal);
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);

        // Alice's audio reaches Carol now.
        await alice.Rtp.SendAsync(Rtp(0, 9, 160), alice.RemoteRtp());
        Assert.Equal(172, (await ReceiveAsync(carol, p => (p[1] & 0x7f) == 0)).Length);

        await alice.SendInDialogAsync(SipMethod.Bye);
        carol.Reply(await carol.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal(("extension>transfer>extension:102", "hangup"), (record.Route, record.Reason));
    }

    [Fact]
    public async Task The_callers_refer_puts_the_called_party_through_to_the_target_with_notifies_and_bye_to_the_transferor()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;
        using var carol = pbx.Phone("102", 4);
        await carol.RegisterAsync();

        // Alice placed the call and transfers Bob (RFC 5589 section 6): 202 and the NOTIFYs come on her own dialog.
        var refer = await alice.SendInDialogAsync(SipMethod.Refer, null, null, ("Refer-To", $"<sip:102@{PbxUnderTest.Domain}>"));
        Assert.Equal(202, refer.StatusCode);
        var trying = await NextReferNotifyAsync(alice, "SIP/2.0 100 Trying");
        Assert.StartsWith("active", trying.GetHeaderValue("Subscription-State"), StringComparison.Ordinal);

        // Carol rings with the identity of Bob, the party she will talk to; meanwhile Bob still hears Alice.
        var invite = await carol.WaitForRequestAsync("INVITE");
        Assert.Contains("sip:101@example.com", invite.From.ToString(), StringComparison.Ordinal);
        await alice.Rtp.SendAsync(Rtp(0, 5, 160, fill: 0x11), alice.RemoteRtp());
        await ReceiveAsync(bob, p => (p[1] & 0x7f) == 0 && !p.AsSpan(12).ContainsAnyExcept((byte)0x11));

        // Carol answers: Alice hears 200 in the last NOTIFY, then BYE.
        await carol.AnswerAsync(invite);
        var done = await NextReferNotifyAsync(alice, "SIP/2.0 200 OK");
        Assert.StartsWith("terminated", done.GetHeaderValue("Subscription-State"), StringComparison.Ordinal);
        alice.Reply(await alice.WaitForRequestAsync("BYE"), 200);

        // Bob and Carol are bridged, both ways, on the legs they already had.
        await bob.Rtp.SendAsync(Rtp(0, 9, 160, fill: 0x22), bob.RemoteRtp());
        await ReceiveAsync(carol, p => (p[1] & 0x7f) == 0 && !p.AsSpan(12).ContainsAnyExcept((byte)0x22));
        await carol.Rtp.SendAsync(Rtp(0, 9, 160, fill: 0x33), carol.RemoteRtp());
        await ReceiveAsync(bob, p => (p[1] & 0x7f) == 0 && !p.AsSpan(12).ContainsAnyExcept((byte)0x33));

        // Bob is in the caller's place now: his BYE ends the call and Carol gets one. One record, the route through the transfer.
        Assert.Equal(200, (await bob.SendInDialogAsync(SipMethod.Bye)).StatusCode);
        carol.Reply(await carol.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal(("100@example.com", "extension>transfer>extension:102", "hangup", "caller"), (record.From, record.Route, record.Reason, record.EndedBy));
        Assert.Single(await pbx.Records.ListAsync(10));
        await NoDialogsLeftAsync(pbx);
    }

    [Fact]
    public async Task The_callers_refer_to_the_echo_hands_the_called_party_over_at_once_and_the_echo_returns_its_audio()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;

        // A service takes the transferee itself: 100 Trying, then 200 and BYE at once on Alice's dialog.
        Assert.Equal(202, (await alice.SendInDialogAsync(SipMethod.Refer, null, null, ("Refer-To", $"<sip:*43@{PbxUnderTest.Domain}>"))).StatusCode);
        await NextReferNotifyAsync(alice, "SIP/2.0 100 Trying");
        await NextReferNotifyAsync(alice, "SIP/2.0 200 OK");
        alice.Reply(await alice.WaitForRequestAsync("BYE"), 200);

        // Bob's audio comes back to him from the echo, on the leg he already had.
        await UntilEchoedAsync(bob);

        Assert.Equal(200, (await bob.SendInDialogAsync(SipMethod.Bye)).StatusCode);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal(("extension>transfer>service:echo:*43", "hangup", "caller"), (record.Route, record.Reason, record.EndedBy));
        await NoDialogsLeftAsync(pbx);
    }

    [Fact]
    public async Task The_callers_refer_to_a_target_nobody_registered_is_notified_480_and_the_call_goes_on()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;

        Assert.Equal(202, (await alice.SendInDialogAsync(SipMethod.Refer, null, null, ("Refer-To", $"<sip:102@{PbxUnderTest.Domain}>"))).StatusCode);
        await NextReferNotifyAsync(alice, "SIP/2.0 100 Trying");
        await NextReferNotifyAsync(alice, "SIP/2.0 480 Temporarily Unavailable");

        // Still Alice's call to Bob, both ways; Alice's BYE ends it as the caller's.
        await alice.Rtp.SendAsync(Rtp(0, 9, 160, fill: 0x44), alice.RemoteRtp());
        await ReceiveAsync(bob, p => (p[1] & 0x7f) == 0 && !p.AsSpan(12).ContainsAnyExcept((byte)0x44));
        await bob.Rtp.SendAsync(Rtp(0, 9, 160, fill: 0x55), bob.RemoteRtp());
        await ReceiveAsync(alice, p => (p[1] & 0x7f) == 0 && !p.AsSpan(12).ContainsAnyExcept((byte)0x55));
        Assert.Equal(200, (await alice.SendInDialogAsync(SipMethod.Bye)).StatusCode);
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal(("extension", "hangup", "caller"), (record.Route, record.Reason, record.EndedBy));
    }

    /// <summary>
    /// The transferor's next NOTIFY of its REFER's implicit subscription (RFC 3515 section 2.4.5), answered 200, whose
    /// message/sipfrag body is <paramref name="statusLine"/>.
    /// </summary>
    internal static async Task<SipRequest> NextReferNotifyAsync(TestPhone transferor, string statusLine)
    {
        var notify = await transferor.WaitForRequestAsync("NOTIFY");
        transferor.Reply(notify, 200);
        Assert.Equal(statusLine + "\r\n", System.Text.Encoding.UTF8.GetString(notify.Body.Span));
        return notify;
    }

    [Fact]
    public async Task The_callees_refer_to_the_echo_hands_the_caller_over_at_once_and_the_echo_returns_its_audio()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;

        // A service takes the caller itself (docs/sip.md, "Blind transfer"): 100 Trying, then 200 and BYE at once.
        Assert.Equal(202, (await bob.SendInDialogAsync(SipMethod.Refer, null, null, ("Refer-To", $"<sip:*43@{PbxUnderTest.Domain}>"))).StatusCode);
        await NextReferNotifyAsync(bob, "SIP/2.0 100 Trying");
        var done = await NextReferNotifyAsync(bob, "SIP/2.0 200 OK");
        Assert.StartsWith("terminated", done.GetHeaderValue("Subscription-State"), StringComparison.Ordinal);
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);

        // Alice's audio comes back to her from the echo, on the same media session as before.
        await alice.Rtp.SendAsync(Rtp(0, 9, 160), alice.RemoteRtp());
        Assert.Equal(172, (await ReceiveAsync(alice, p => (p[1] & 0x7f) == 0)).Length);

        await alice.SendInDialogAsync(SipMethod.Bye);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal(("extension>transfer>service:echo:*43", "hangup", "caller"), (record.Route, record.Reason, record.EndedBy));
    }

    [Fact]
    public async Task The_callees_refer_to_a_queue_hands_the_caller_over_and_the_queues_hold_music_reaches_it()
    {
        var sales = new QueueDefinition(1, PbxUnderTest.Domain, "sales", "500", QueueStrategy.RingAll, ["102"], TimeSpan.FromMinutes(5), null,
            TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(15), "en", QueueDefinition.DefaultHoldMusic);
        await using var pbx = await PbxUnderTest.StartAsync(queues: [sales]);
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;

        // The queue's number, dialled as Bob would dial it: 100 Trying, then 200 and BYE at once (docs/sip.md).
        Assert.Equal(202, (await bob.SendInDialogAsync(SipMethod.Refer, null, null, ("Refer-To", $"<sip:500@{PbxUnderTest.Domain}>"))).StatusCode);
        bob.Reply(await bob.WaitForRequestAsync("NOTIFY"), 200);
        var done = await NextReferNotifyAsync(bob, "SIP/2.0 200 OK");
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);

        // Nobody else is on the call now: G.711 audio that is not silence (0xFF in PCMU) is the queue's music.
        var music = await ReceiveAsync(alice, p => (p[1] & 0x7f) == 0 && p.AsSpan(12).IndexOfAnyExcept((byte)0xFF, (byte)0x7F) >= 0);
        Assert.Equal(172, music.Length);

        await alice.SendInDialogAsync(SipMethod.Bye);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal(("extension>transfer>queue:sales", "sales", "hangup"), (record.Route, record.Queue, record.Reason));
    }

    [Fact]
    public async Task A_queue_agent_in_a_call_of_its_own_is_rung_for_a_waiting_caller_only_once_that_call_ends()
    {
        var sales = new QueueDefinition(1, PbxUnderTest.Domain, "sales", "500", QueueStrategy.RingAll, ["101", "103"], TimeSpan.FromMinutes(5), null,
            TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(15), "en", QueueDefinition.DefaultHoldMusic);
        await using var pbx = await PbxUnderTest.StartAsync(queues: [sales]);
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;
        using var carol = pbx.Phone("102", 4);
        using var dave = pbx.Phone("103", 5);
        await carol.RegisterAsync();
        await dave.RegisterAsync();

        // Carol calls the queue: ring-all offers her to its idle agents, Dave and not Bob, whose phone is in Alice's
        // call. The in-memory network delivers in sending order, so an INVITE to Bob from the same offer (members'
        // order: Bob first) would be in his inbox by the time Dave's arrives.
        Assert.Equal(200, (await carol.CallAsync("500")).StatusCode);
        var toDave = await dave.WaitForRequestAsync("INVITE");
        Assert.False(bob.HasReceived("INVITE"), "an agent in a call was offered a queue caller");
        dave.Reply(toDave, 486);

        // Bob's call ends: the queue rings him for Carol at once (Dave pauses after his refusal), and they talk.
        Assert.Equal(200, (await bob.SendInDialogAsync(SipMethod.Bye)).StatusCode);
        alice.Reply(await alice.WaitForRequestAsync("BYE"), 200);
        await bob.AnswerAsync(await bob.WaitForRequestAsync("INVITE"));
        await carol.Rtp.SendAsync(Rtp(0, 50, 160), carol.RemoteRtp());
        Assert.Equal(172, (await ReceiveAsync(bob, p => (p[1] & 0x7f) == 0)).Length);

        await carol.SendInDialogAsync(SipMethod.Bye);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "500", TimeSpan.FromSeconds(5));
        Assert.Equal(("queue:sales", "sales", "101"), (record.Route, record.Queue, record.Agent));
    }

    [Fact]
    public async Task A_refer_to_a_target_nobody_registered_is_notified_480_and_the_call_goes_on()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;

        Assert.Equal(202, (await bob.SendInDialogAsync(SipMethod.Refer, null, null, ("Refer-To", $"<sip:102@{PbxUnderTest.Domain}>"))).StatusCode);
        bob.Reply(await bob.WaitForRequestAsync("NOTIFY"), 200);
        await NextReferNotifyAsync(bob, "SIP/2.0 480 Temporarily Unavailable");

        // Still bridged to Bob.
        await alice.Rtp.SendAsync(Rtp(0, 9, 160), alice.RemoteRtp());
        Assert.Equal(172, (await ReceiveAsync(bob, p => (p[1] & 0x7f) == 0)).Length);
        await alice.SendInDialogAsync(SipMethod.Bye);
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal("extension", record.Route);
    }

    [Fact]
    public async Task A_reinvite_with_a_new_media_address_moves_the_audio_there()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;
        await alice.Rtp.SendAsync(Rtp(0, 1, 160), alice.RemoteRtp());
        Assert.Equal(172, (await ReceiveAsync(bob, p => (p[1] & 0x7f) == 0)).Length);

        // Bob's network changed: his media is now on another socket, and his re-INVITE says so.
        using var moved = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var reinvite = await bob.SendInDialogAsync(SipMethod.Invite, bob.OfferAt(((System.Net.IPEndPoint)moved.Client.LocalEndPoint!).Port), "application/sdp");
        Assert.Equal(200, reinvite.StatusCode);

        // Alice's audio reaches the new address (from the same PBX port), and the call goes on.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        System.Net.Sockets.UdpReceiveResult received;
        ushort sequence = 2;
        do
        {
            await alice.Rtp.SendAsync(Rtp(0, sequence++, 160), alice.RemoteRtp());
            received = await moved.ReceiveAsync(cts.Token);
        }
        while ((received.Buffer[1] & 0x7f) != 0);

        Assert.Equal(172, received.Buffer.Length);
        Assert.Equal(bob.RemoteRtp(), received.RemoteEndPoint);
        await alice.SendInDialogAsync(SipMethod.Bye);
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal("hangup", record.Reason);
    }

    [Fact]
    public async Task A_phone_calls_the_echo_test_and_hears_itself()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        using var alice = pbx.Phone("100", 2);
        await alice.RegisterAsync();
        Assert.Equal(200, (await alice.CallAsync("*43")).StatusCode);
        var echo = alice.RemoteRtp();
        for (ushort seq = 1; seq <= 3; seq++)
        {
            await alice.Rtp.SendAsync(Rtp(0, seq, 160), echo);
        }

        var back = await ReceiveAsync(alice, p => (p[1] & 0x7f) == 0);
        Assert.Equal(172, back.Length);
        await alice.SendInDialogAsync(SipMethod.Bye);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "*43", TimeSpan.FromSeconds(5));
        Assert.Equal("service:echo", record.Route);
    }

    [Fact]
    public async Task Options_is_answered_with_what_the_pbx_allows()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        using var alice = pbx.Phone("100", 2);
        var response = await alice.SendOutOfDialogAsync(SipMethod.Options, "sip:example.com");
        Assert.Equal(200, response.StatusCode);
        Assert.Contains("INVITE", response.GetHeaderValue("Allow"), StringComparison.Ordinal);
    }

    internal static Switchboard.Pbx.Ivr.IvrRuntime TeamMenu() => new(
        new Switchboard.Pbx.Ivr.IvrConfiguration(
            [new Switchboard.Pbx.Ivr.IvrMenu("main", Switchboard.Pbx.Ivr.IvrDestinations.WelcomePrompt, new Dictionary<char, string> { ['1'] = "group:team" })],
            [new Switchboard.Pbx.Ivr.RingGroup("team", ["101"], TimeSpan.FromSeconds(1), "*43")]),
        Switchboard.Pbx.Ivr.IvrPromptLibrary.Load(Switchboard.Pbx.Ivr.IvrPromptLibrary.DefaultDirectory, out _));

    [Fact]
    public async Task A_digit_in_the_ivr_rings_the_group_and_a_member_answers()
    {
        await using var pbx = await PbxUnderTest.StartAsync(ivr: TeamMenu());
        using var alice = pbx.Phone("100", 2);
        using var bob = pbx.Phone("101", 3);
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        Assert.Equal(200, (await alice.CallAsync("*50")).StatusCode);

        // The menu's prompt plays to the caller (PCMU frames of speech, not silence); a key stops it and is taken.
        await alice.Rtp.SendAsync(Rtp(0, 1, 160), alice.RemoteRtp());
        var prompt = await ReceiveAsync(alice, p => (p[1] & 0x7f) == 0 && p.AsSpan(12).ContainsAnyExcept((byte)0xff));
        Assert.Equal(172, prompt.Length);
        await PressAsync(alice, digit: 1, firstSequence: 2);

        await bob.AnswerAsync(await bob.WaitForRequestAsync("INVITE"));
        await alice.SendInDialogAsync(SipMethod.Bye);
        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "*50", TimeSpan.FromSeconds(5));
        Assert.Equal("service:ivr>group:team", record.Route);
        Assert.Equal("1", record.Digits);
    }

    [Fact]
    public async Task A_ring_group_nobody_answers_falls_back_to_its_fallback()
    {
        await using var pbx = await PbxUnderTest.StartAsync(ivr: TeamMenu());
        using var alice = pbx.Phone("100", 2);
        using var bob = pbx.Phone("101", 3);
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        Assert.Equal(200, (await alice.CallAsync("*50")).StatusCode);
        await PressAsync(alice, digit: 1);

        var invite = await bob.WaitForRequestAsync("INVITE");
        bob.Reply(invite, 180);
        var cancel = await bob.WaitForRequestAsync("CANCEL");
        bob.Reply(cancel, 200);
        bob.Reply(invite, 487);

        await alice.SendInDialogAsync(SipMethod.Bye);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "*50", TimeSpan.FromSeconds(5));
        Assert.Equal("service:ivr>group:team>service:echo:*43", record.Route);
    }

    [Fact]
    public async Task A_ring_group_that_falls_back_lets_go_of_every_member_dialog_and_media()
    {
        await using var pbx = await PbxUnderTest.StartAsync(ivr: TeamMenu());
        using var alice = pbx.Phone("100", 2);
        using var desk = pbx.Phone("101", 3);
        using var browser = pbx.Phone("101", 4, SipTransportKind.Ws);
        await alice.RegisterAsync();
        await desk.RegisterAsync();
        await browser.RegisterAsync();
        Assert.Equal(200, (await alice.CallAsync("*50")).StatusCode);
        await PressAsync(alice, digit: 1);

        // The desk phone is busy (its branch fails at once, its dialog still bound); the browser softphone, offered
        // WebRTC media of its own, rings until the group gives up and cancels it.
        var atDesk = await desk.WaitForRequestAsync("INVITE");
        var atBrowser = await browser.WaitForRequestAsync("INVITE");
        await desk.AnswerAsync(atDesk, 486);
        browser.Reply(atBrowser, 180);
        browser.Reply(await browser.WaitForRequestAsync("CANCEL"), 200);
        browser.Reply(atBrowser, 487);

        // The fallback, the echo test, answers: our own audio comes back...
        await UntilEchoedAsync(alice);

        // ...and the members' media is closed already: every port the group offered them is back in the pool
        // (parked: still bound, but no leg holds it).
        Assert.True(pbx.Ports.IsParked(OfferedPort(atDesk)), "the desk phone's offer leg is still open");
        Assert.True(pbx.Ports.IsParked(OfferedPort(atBrowser)), "the browser member's WebRTC leg is still open");

        await alice.SendInDialogAsync(SipMethod.Bye);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "*50", TimeSpan.FromSeconds(5));
        Assert.Equal("service:ivr>group:team>service:echo:*43", record.Route);
        await NoDialogsLeftAsync(pbx);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_phone_that_goes_silent_without_bye_ends_the_call_after_the_rtp_timeout(bool calleeGoesSilent)
    {
        await using var pbx = await PbxUnderTest.StartAsync(new CallOptions { RtpTimeout = TimeSpan.FromSeconds(1) });
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;

        // One phone vanishes after one packet (no BYE, no more RTP); the other talks all along and is told the call is over.
        var (silent, talking) = calleeGoesSilent ? (bob, alice) : (alice, bob);
        using var stop = new CancellationTokenSource();
        var talk = KeepTalkingAsync(talking, stop.Token);
        SipRequest bye;
        try
        {
            // The silent one's packet reaches the talker: the PBX's leg for it saw media and counts its silence from now on.
            await silent.Rtp.SendAsync(Rtp(0, 1, 160), silent.RemoteRtp());
            await ReceiveAsync(talking, p => (p[1] & 0x7f) == 0);
            bye = await talking.WaitForRequestAsync("BYE");
        }
        finally
        {
            await stop.CancelAsync();
            await talk;
        }

        talking.Reply(bye, 200);

        // The silent one gets BYE too: if it comes back, it learns the call is over (RFC 3261 section 15).
        silent.Reply(await silent.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal("media_timeout", record.Reason);
        Assert.Equal(calleeGoesSilent ? "callee" : "caller", record.EndedBy);
        await NoDialogsLeftAsync(pbx);
    }

    [Fact]
    public async Task A_phone_that_holds_may_stay_silent_longer_than_the_rtp_timeout()
    {
        await using var pbx = await PbxUnderTest.StartAsync(new CallOptions { RtpTimeout = TimeSpan.FromMilliseconds(500) });
        var (alice, bob) = await AnsweredCallAsync(pbx);
        using var _ = alice;
        using var __ = bob;
        using var stop = new CancellationTokenSource();
        var talk = KeepTalkingAsync(alice, stop.Token);
        try
        {
            // Bob's one packet starts his leg's silence count; then he holds (RFC 3264 section 8.4) and sends nothing.
            await bob.Rtp.SendAsync(Rtp(0, 1, 160), bob.RemoteRtp());
            await ReceiveAsync(alice, p => (p[1] & 0x7f) == 0);
            Assert.Equal(200, (await bob.SendInDialogAsync(SipMethod.Invite, bob.Offer("sendonly"), "application/sdp")).StatusCode);

            // The harness runs on the real clock: three timeouts of silence pass, and the call is still up.
            await Task.Delay(TimeSpan.FromMilliseconds(1500));
            Assert.Equal(200, (await alice.SendInDialogAsync(SipMethod.Bye)).StatusCode);
        }
        finally
        {
            await stop.CancelAsync();
            await talk;
        }

        bob.Reply(await bob.WaitForRequestAsync("BYE"), 200);
        var record = await pbx.Records.WaitForAsync(r => r.Destination == "101", TimeSpan.FromSeconds(5));
        Assert.Equal("hangup", record.Reason);
        Assert.Equal("caller", record.EndedBy);
    }

    [Fact]
    public async Task A_malformed_request_gets_400_and_garbage_is_counted()
    {
        await using var pbx = await PbxUnderTest.StartAsync();
        using var alice = pbx.Phone("100", 2);

        // RFC 3261 section 21.4.1: a request we can answer but cannot accept gets 400 with the reason.
        var bad = await alice.SendRawAsync(
            "OPTIONS sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bKbad1\r\nFrom: <sip:100@example.com>;tag=1\r\n" +
            "To: <sip:example.com>\r\nCall-ID: bad@x\r\nCSeq: 9 OPTIONS\r\nMax-Forwards: many\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(400, bad.StatusCode);
        Assert.NotEmpty(bad.ReasonPhrase);

        alice.SendRawNoReply("\u0001\u0002 not sip at all");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (pbx.Endpoint.Counters.Dropped == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, pbx.Endpoint.Counters.Dropped);
        Assert.Equal(1, pbx.Endpoint.Counters.BadRequests);
    }

    /// <summary>Every leg let go of its Call-ID: nothing stays bound after a call, however it ended.</summary>
    private static async Task NoDialogsLeftAsync(PbxUnderTest pbx)
    {
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (pbx.Endpoint.Counters.Dialogs > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, pbx.Endpoint.Counters.Dialogs);
    }

    /// <summary>Alice (100) calls Bob (101), who answers: both registered, the call connected.</summary>
    internal static async Task<(TestPhone Alice, TestPhone Bob)> AnsweredCallAsync(PbxUnderTest pbx)
    {
        var alice = pbx.Phone("100", 2);
        var bob = pbx.Phone("101", 3);
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        var call = alice.CallAsync("101");
        await bob.AnswerAsync(await bob.WaitForRequestAsync("INVITE"));
        Assert.Equal(200, (await call).StatusCode);
        return (alice, bob);
    }

    /// <summary>One key press as RFC 4733 packets (three, the last with the end bit, 100 ms in all).</summary>
    /// <summary>One RFC 4733 key press (start, update, end), on whichever network the phone's media is on.</summary>
    internal static Task PressAsync(TestPhone phone, byte digit, ushort firstSequence = 1)
    {
        for (ushort i = 1; i < 4; i++)
        {
            phone.SendRtp(Dtmf((ushort)(firstSequence + i - 1), digit, end: i == 3, duration: (ushort)(i == 3 ? 800 : 160 * i)), phone.RemoteRtp());
        }

        return Task.CompletedTask;
    }

    /// <summary>RTP every 40 ms until cancelled: a phone that is still there.</summary>
    private static async Task KeepTalkingAsync(TestPhone phone, CancellationToken ct)
    {
        var to = phone.RemoteRtp();
        for (ushort seq = 100; !ct.IsCancellationRequested; seq++)
        {
            await phone.Rtp.SendAsync(Rtp(0, seq, 160), to, CancellationToken.None);
            try
            {
                await Task.Delay(40, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends marked audio until the PBX reflects it (the echo test took the call), for at most 5 s.</summary>
    private static async Task UntilEchoedAsync(TestPhone phone)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        for (ushort seq = 10; ; seq++)
        {
            await phone.Rtp.SendAsync(Rtp(0, seq, 160, fill: 0x2a), phone.RemoteRtp());
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            try
            {
                while (true)
                {
                    var packet = (await phone.Rtp.ReceiveAsync(wait.Token)).Buffer;
                    if ((packet[1] & 0x7f) == 0 && !packet.AsSpan(12).ContainsAnyExcept((byte)0x2a))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (DateTime.UtcNow < deadline)
            {
                // Not echoed yet: the fallback may still be starting.
            }
        }
    }

    /// <summary>The media port of the offer in an INVITE the PBX sent (m=audio).</summary>
    private static int OfferedPort(SipRequest invite) =>
        int.Parse(System.Text.Encoding.UTF8.GetString(invite.Body.Span).Split("\r\n").First(l => l.StartsWith("m=audio ", StringComparison.Ordinal)).Split(' ')[1],
            System.Globalization.CultureInfo.InvariantCulture);

    internal static byte[] Rtp(byte payloadType, ushort sequence, int payloadLength, byte fill = 0xff)
    {
        var packet = new byte[12 + payloadLength];
        packet[0] = 0x80;
        packet[1] = payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence * 160u);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0x1234);
        packet.AsSpan(12).Fill(fill);
        return packet;
    }

    internal static byte[] Dtmf(ushort sequence, byte digit, bool end, ushort duration)
    {
        var packet = Rtp(101, sequence, 4);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 16000);
        packet[12] = digit;
        packet[13] = (byte)((end ? 0x80 : 0) | 10);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(14), duration);
        return packet;
    }

    internal static async Task<byte[]> ReceiveAsync(TestPhone phone, Func<byte[], bool> match)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            var result = await phone.Rtp.ReceiveAsync(cts.Token);
            if (match(result.Buffer))
            {
                return result.Buffer;
            }
        }
    }
}
