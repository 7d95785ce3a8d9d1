using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Dtmf;
using Switchboard.Media.Phone;
using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Ivr;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>
/// The call's sans-IO core: inputs in, outputs asserted. No socket, no thread, no timer: the clock is a plain
/// <see cref="TimeSpan"/> (time since the call started).
/// </summary>
public sealed class CallCoreTests
{
    private static readonly TimeSpan At = TimeSpan.FromSeconds(12);

    /// <summary>The callee is a phone that took no telephone-event: the caller's digits reach it only as INFO.</summary>
    private static readonly CallPeers CalleeWithoutTelephoneEvent = new(8000, CalleeNeedsInfo: true);

    /// <summary>What our phone end would answer a re-INVITE with.</summary>
    internal static readonly SipAnswerOptions OurPhoneEnd = new()
    {
        Address = IPAddress.Parse("198.51.100.1"),
        Port = 30000,
        SessionId = 42,
        SessionVersion = 3,
        Codecs = [SdpCodec.Pcmu],
    };

    private static CallCore NewCore() => new("test", NullLogger.Instance);

    [Theory]
    [InlineData("Callee", "RemoteHangup")]
    [InlineData("Caller", "Hangup")]
    public void Live_a_bye_from_either_side_is_answered_its_dialog_terminated_and_the_call_ends_by_that_side(string from, string why)
    {
        var side = Enum.Parse<CallSide>(from);
        var reason = Enum.Parse<CallEndReason>(why);
        var step = NewCore().Handle(FromSide(side, Request("BYE")), At);

        Assert.Equal<CallOutput>(
            [new CallOutput.Respond(200), new CallOutput.TerminateDialog(side), new CallOutput.End(new CallEnd(reason, side))],
            step.Outputs);
    }

    [Fact]
    public void Live_a_request_the_dialog_refuses_gets_500_and_changes_nothing()
    {
        var step = NewCore().Handle(new CallInput.Request(CallSide.Callee, Request("BYE"), InDialog: false, null, CallPeers.None), At);

        Assert.Equal<CallOutput>([new CallOutput.Respond(500)], step.Outputs);
    }

    [Fact]
    public void Live_an_info_digit_from_the_caller_to_a_callee_without_telephone_event_is_recorded_and_sent_as_info()
    {
        var info = Request("INFO", "application/dtmf-relay", "Signal=5\r\nDuration=250\r\n");
        var step = NewCore().Handle(new CallInput.Request(CallSide.Caller, info, InDialog: true, null, CalleeWithoutTelephoneEvent), At);

        Assert.Equal<CallOutput>(
            [
                new CallOutput.Respond(200),
                new CallOutput.RecordDigit('5', 250),
                new CallOutput.SendInfo('5', 250),
                new CallOutput.SendDigit(CallSide.Callee, '5', TimeSpan.FromMilliseconds(250)),
            ],
            step.Outputs);
    }

    [Fact]
    public void Live_an_info_digit_from_the_callee_is_played_to_the_caller_and_not_recorded()
    {
        var info = Request("INFO", "application/dtmf", "#");
        var step = NewCore().Handle(new CallInput.Request(CallSide.Callee, info, InDialog: true, null, CalleeWithoutTelephoneEvent), At);

        Assert.Equal<CallOutput>(
            [new CallOutput.Respond(200), new CallOutput.SendDigit(CallSide.Caller, '#', TimeSpan.FromMilliseconds(160))],
            step.Outputs);
    }

    [Theory]
    [InlineData("UPDATE")]
    [InlineData("MESSAGE")]
    public void A_method_the_call_does_not_handle_gets_405_and_changes_nothing(string method)
    {
        var core = NewCore();
        var step = core.Handle(FromSide(CallSide.Caller, Request(method)), At);

        Assert.Equal<CallOutput>([new CallOutput.Respond(405)], step.Outputs);
        Assert.Equal(CallState.Routing, core.State);
    }

    [Fact]
    public void Live_an_info_without_a_digit_is_only_answered()
    {
        var step = NewCore().Handle(FromSide(CallSide.Caller, Request("INFO", "application/dtmf-relay", "Signal=X\r\n")), At);

        Assert.Equal<CallOutput>([new CallOutput.Respond(200)], step.Outputs);
    }

    [Fact]
    public void Live_an_rfc4733_digit_from_the_caller_reaches_a_callee_with_telephone_event_through_the_relay_alone()
    {
        // Event 9 for 800 units of an 8 kHz clock: 100 ms.
        var dtmf = new RtpLegEvent(RtpLegEventKind.Dtmf, new DtmfDigit(9, 0, 800, 10, true));
        var step = NewCore().Handle(new CallInput.PhoneMedia(CallSide.Caller, dtmf, CallPeers.None), At);

        Assert.Equal<CallOutput>([new CallOutput.RecordDigit('9', 100)], step.Outputs);
    }

    [Fact]
    public void A_reinvite_sendonly_from_a_phone_is_answered_recvonly_marks_it_held_and_its_later_silence_does_not_end_the_call()
    {
        var core = NewCore();
        var hold = Request("INVITE", "application/sdp", PhoneOffer("a=sendonly"));
        var step = core.Handle(new CallInput.Request(CallSide.Callee, hold, InDialog: true, OurPhoneEnd, CallPeers.None), At);

        Assert.Equal(2, step.Outputs.Count);
        var update = Assert.IsType<CallOutput.UpdatePhoneMedia>(step.Outputs[0]);
        Assert.Equal((CallSide.Callee, new IPEndPoint(IPAddress.Parse("192.0.2.10"), 40000), 3UL), (update.Side, update.Remote, update.SessionVersion));
        var answer = Assert.IsType<CallOutput.Respond>(step.Outputs[1]);
        Assert.Equal(200, answer.Status);
        Assert.Contains("a=recvonly", answer.Sdp, StringComparison.Ordinal);
        Assert.Contains("m=audio 30000 ", answer.Sdp, StringComparison.Ordinal);
        Assert.True(core.IsHeld(CallSide.Callee));

        var silence = core.Handle(new CallInput.PhoneMedia(CallSide.Callee, new RtpLegEvent(RtpLegEventKind.MediaTimeout), CallPeers.None), At + TimeSpan.FromMinutes(5));
        Assert.Empty(silence.Outputs);
    }

    [Fact]
    public void A_resume_clears_the_hold_and_then_silence_ends_the_call_as_that_sides_media_timeout()
    {
        var core = NewCore();
        core.Handle(new CallInput.Request(CallSide.Caller, Request("INVITE", "application/sdp", PhoneOffer("a=sendonly")), true, OurPhoneEnd, CallPeers.None), At);
        core.Handle(new CallInput.Request(CallSide.Caller, Request("INVITE", "application/sdp", PhoneOffer("a=sendrecv")), true, OurPhoneEnd, CallPeers.None), At);
        Assert.False(core.IsHeld(CallSide.Caller));

        var silence = core.Handle(new CallInput.PhoneMedia(CallSide.Caller, new RtpLegEvent(RtpLegEventKind.MediaTimeout), CallPeers.None), At);

        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.MediaTimeout, CallSide.Caller))], silence.Outputs);
    }

    [Fact]
    public void A_reinvite_to_an_end_with_no_terms_for_it_or_without_a_usable_offer_gets_488_and_nothing_changes()
    {
        var core = NewCore();
        var toBrowser = core.Handle(new CallInput.Request(CallSide.Caller, Request("INVITE", "application/sdp", PhoneOffer("a=sendonly")), true, null, CallPeers.None), At);
        var noOffer = core.Handle(new CallInput.Request(CallSide.Callee, Request("INVITE"), true, OurPhoneEnd, CallPeers.None), At);

        Assert.Equal<CallOutput>([new CallOutput.Respond(488)], toBrowser.Outputs);
        Assert.Equal<CallOutput>([new CallOutput.Respond(488)], noOffer.Outputs);
        Assert.False(core.IsHeld(CallSide.Caller));
    }

    [Fact]
    public void Live_the_browsers_consent_lost_or_close_is_the_callers_hangup_and_the_callees_remote_hangup()
    {
        var core = NewCore();
        var lost = new WebRtcLegEvent(WebRtcLegEventKind.ConsentLost);

        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Hangup, CallSide.Caller))],
            core.Handle(new CallInput.WebMedia(CallSide.Caller, lost, CallPeers.None), At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.RemoteHangup, CallSide.Callee))],
            core.Handle(new CallInput.WebMedia(CallSide.Callee, new WebRtcLegEvent(WebRtcLegEventKind.ClosedByPeer), CallPeers.None), At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Error, CallSide.Pbx))],
            core.Handle(new CallInput.WebMedia(CallSide.Callee, new WebRtcLegEvent(WebRtcLegEventKind.TransportFailed), CallPeers.None), At).Outputs);
    }

    [Fact]
    public void Live_the_callers_first_srtp_packet_records_the_setup_time()
    {
        var step = NewCore().Handle(new CallInput.WebMedia(CallSide.Caller, new WebRtcLegEvent(WebRtcLegEventKind.FirstSrtpSent), CallPeers.None), At);

        Assert.Equal<CallOutput>([new CallOutput.RecordSetupTime(At)], step.Outputs);
    }

    [Fact]
    public void Ivr_plays_the_menu_waits_for_a_key_only_after_the_prompt_and_transfers_on_a_choice()
    {
        var core = NewCore();
        var start = core.Handle(new CallInput.StartIvr(IvrConfiguration.Demo.NewSession()), At);
        Assert.Equal<CallOutput>([new CallOutput.PlayPrompt(IvrDestinations.WelcomePrompt)], start.Outputs);
        Assert.Null(start.NextDeadline);

        var heard = core.Handle(new CallInput.PhoneMedia(CallSide.Caller, new RtpLegEvent(RtpLegEventKind.PromptFinished), CallPeers.None), At);
        Assert.Empty(heard.Outputs);
        Assert.Equal(At + IvrMenu.DefaultTimeout, heard.NextDeadline);

        var info = Request("INFO", "application/dtmf", "1");
        var chosen = core.Handle(new CallInput.Request(CallSide.Caller, info, InDialog: true, null, CallPeers.None), At + TimeSpan.FromSeconds(2));
        Assert.Equal<CallOutput>(
            [
                new CallOutput.Respond(200),
                new CallOutput.RecordDigit('1', 160),
                new CallOutput.SendDigit(CallSide.Callee, '1', TimeSpan.FromMilliseconds(160)),
                new CallOutput.StopPrompt(),
                new CallOutput.Transfer("100"),
            ],
            chosen.Outputs);
        Assert.Null(chosen.NextDeadline);
    }

    [Fact]
    public void Ivr_a_prompt_that_cannot_be_played_counts_as_heard_and_the_key_timeout_replays_the_menu()
    {
        var core = NewCore();
        core.Handle(new CallInput.StartIvr(IvrConfiguration.Demo.NewSession()), At);

        var unplayable = core.Handle(CallInput.PromptUnplayable, At);
        Assert.Equal(At + IvrMenu.DefaultTimeout, unplayable.NextDeadline);

        Assert.Empty(core.Handle(CallInput.Wake, At + IvrMenu.DefaultTimeout - TimeSpan.FromMilliseconds(1)).Outputs);
        var timeout = core.Handle(CallInput.Wake, At + IvrMenu.DefaultTimeout);
        Assert.Equal<CallOutput>([new CallOutput.PlayPrompt(IvrDestinations.WelcomePrompt)], timeout.Outputs);
    }

    [Fact]
    public void Ivr_a_bye_ends_the_call_and_the_session_asks_for_nothing_more()
    {
        var core = NewCore();
        core.Handle(new CallInput.StartIvr(IvrConfiguration.Demo.NewSession()), At);

        var bye = core.Handle(FromSide(CallSide.Caller, Request("BYE")), At);

        Assert.IsType<CallOutput.End>(bye.Outputs[^1]);
        Assert.DoesNotContain(bye.Outputs, o => o is CallOutput.PlayPrompt);
    }

    [Fact]
    public void The_maximum_duration_ends_the_call_at_its_deadline_and_not_before()
    {
        var core = NewCore();
        core.Deadlines.Set(CallDeadline.MaxDuration, TimeSpan.FromHours(4));

        var early = core.Handle(CallInput.Wake, TimeSpan.FromHours(4) - TimeSpan.FromMilliseconds(1));
        Assert.Empty(early.Outputs);
        Assert.Equal(TimeSpan.FromHours(4), early.NextDeadline);

        var due = core.Handle(CallInput.Wake, TimeSpan.FromHours(4));
        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Error, CallSide.Pbx))], due.Outputs);
        Assert.Null(due.NextDeadline);
    }

    [Fact]
    public void A_hangup_or_a_shutdown_ends_the_call_whatever_it_was_doing()
    {
        var core = NewCore();

        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Hangup, CallSide.Caller))], core.Handle(CallInput.CallerHangup, At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Shutdown, CallSide.Pbx))], core.Handle(CallInput.PbxShutdown, At).Outputs);
    }

    [Fact]
    public void An_admin_hang_up_ends_the_call_as_admin_hangup_by_the_pbx()
    {
        var core = NewCore();

        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.AdminHangup, CallSide.Pbx))], core.Handle(CallInput.AdminHangup, At).Outputs);
        Assert.Equal("admin_hangup", CallEndReason.AdminHangup.ToCode());
    }

    private static CallInput.Request FromSide(CallSide side, SipRequest request) => new(side, request, InDialog: true, null, CallPeers.None);

    /// <summary>A phone's offer for PCMU with telephone-event, from 192.0.2.10:40000, in the given direction.</summary>
    private static string PhoneOffer(string direction) =>
        "v=0\r\no=phone 1 2 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n" +
        "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n" + direction + "\r\n";

    /// <summary>An in-dialog request from a phone, parsed as the transport would hand it over.</summary>
    internal static SipRequest Request(string method, string? contentType = null, string body = "")
    {
        var bytes = Encoding.UTF8.GetByteCount(body);
        var text =
            $"{method} sip:pbx@198.51.100.1 SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-core-1\r\n" +
            "Max-Forwards: 70\r\n" +
            "From: <sip:1001@pbx.test>;tag=a\r\n" +
            "To: <sip:1002@pbx.test>;tag=b\r\n" +
            "Call-ID: core-test\r\n" +
            $"CSeq: 2 {method}\r\n" +
            (contentType is null ? "" : $"Content-Type: {contentType}\r\n") +
            $"Content-Length: {bytes}\r\n\r\n" + body;
        var parsed = SipParser.Parse(Encoding.UTF8.GetBytes(text).AsMemory());
        Assert.True(parsed.IsSuccess, parsed.Error.ToString());
        return (SipRequest)parsed.Message!;
    }
}
