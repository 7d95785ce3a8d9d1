using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Queues;
using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Services;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>
/// Blind transfer with REFER (RFC 3515, RFC 5589 section 6) in the call's sans-IO core: the answered callee (branch 0)
/// transfers the caller; the target rings as branch 1.
/// </summary>
public sealed class CallCoreTransferTests
{
    internal static readonly TimeSpan At = TimeSpan.FromSeconds(20);
    internal static readonly TimeSpan RingFor = TimeSpan.FromSeconds(30);
    internal static readonly Extension Carol = new(9, "example.com", "103", "Carol", DateTimeOffset.UnixEpoch);

    /// <summary>A call whose caller is answered by branch 0: Live, between two parties.</summary>
    internal static CallCore Answered()
    {
        var core = new CallCore("test", NullLogger.Instance);
        core.Handle(new CallInput.Ring([0], RingFor), At);
        core.Handle(CallCoreRingingTests.Response(0, 200, "v=0\r\n"), At);
        core.Handle(new CallInput.AnswerApplied(0, Usable: true), At);
        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(0, core.Winner);
        return core;
    }

    /// <summary>The callee's REFER to 103 accepted and Carol found: Carol rings as branch 1.</summary>
    private static CallCore TransferRinging()
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Callee, "<sip:103@example.com>"), At);
        var ring = core.Handle(new CallInput.TransferTargetFound(new Route.ToExtension(Carol)), At);
        Assert.Equal<CallOutput>([new CallOutput.DetachCallee("transfer>extension:103"), new CallOutput.RingExtension(Carol)], ring.Outputs);
        Assert.Equal(CallState.Transfer, core.State);
        Assert.Null(core.Winner);
        Assert.Equal(0, core.Transferor);
        Assert.Empty(core.Handle(new CallInput.Ring([1], RingFor), At).Outputs);
        Assert.Equal(CallState.Ringing, core.State);
        return core;
    }

    [Fact]
    public void A_callees_refer_is_accepted_notified_trying_and_its_target_resolved_as_the_callee_dials_it()
    {
        var core = Answered();

        var step = core.Handle(Refer(CallSide.Callee, "<sip:103@example.com>"), At);

        Assert.Equal<CallOutput>(
            [
                new CallOutput.Respond(202),
                new CallOutput.NotifyTransferor(0, 100, "Trying", Final: false),
                new CallOutput.ResolveTransferTarget("103"),
            ],
            step.Outputs);
        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(0, core.Winner);
    }

    [Fact]
    public void The_target_answers_the_caller_is_bridged_to_it_the_transferor_hears_200_and_gets_bye()
    {
        var core = TransferRinging();

        // The caller is connected (to the transferor) already: no ringing to tell.
        Assert.Empty(core.Handle(CallCoreRingingTests.Response(1, 180), At).Outputs);
        var ok = CallCoreRingingTests.Response(1, 200, "v=0\r\n");
        Assert.Equal<CallOutput>([new CallOutput.Acknowledge(1, ok.Response), new CallOutput.ApplyAnswer(1, "v=0\r\n")], core.Handle(ok, At).Outputs);
        var answered = core.Handle(new CallInput.AnswerApplied(1, Usable: true), At);

        // The caller was answered long ago: no second answer; the transferor's media goes with the offers nobody holds.
        Assert.Equal<CallOutput>(
            [
                new CallOutput.NotifyTransferor(0, 200, "OK", Final: true),
                new CallOutput.ReleaseBranch(0, BranchRelease.Bye),
                new CallOutput.ReleaseOffers(),
            ],
            answered.Outputs);
        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(1, core.Winner);
        Assert.Null(core.Transferor);

        // The transferor is nobody's now: the caller's later hang-up releases the target alone.
        var end = new CallEnd(CallEndReason.Hangup, CallSide.Caller);
        Assert.Equal<(int, BranchRelease)>([(1, BranchRelease.Bye)], core.Releases(end));
    }

    [Fact]
    public void A_busy_target_is_notified_and_the_transferor_is_the_callee_again()
    {
        var core = TransferRinging();

        var busy = core.Handle(CallCoreRingingTests.Response(1, 486), At);

        // The refused branch's binding is let go, as before a ring group's fallback.
        Assert.Equal<CallOutput>(
            [
                new CallOutput.ReleaseBranch(1, BranchRelease.Forget),
                new CallOutput.NotifyTransferor(0, 486, "Busy Here", Final: true),
                new CallOutput.ReattachCallee(),
                new CallOutput.ReleaseOffers(),
            ],
            busy.Outputs);
        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(0, core.Winner);
        Assert.Null(core.Transferor);
        Assert.NotEqual(At + RingFor, busy.NextDeadline);
    }

    [Fact]
    public void A_target_that_rings_too_long_is_cancelled_and_notified_480_and_the_call_goes_on()
    {
        var core = TransferRinging();
        core.Handle(CallCoreRingingTests.Response(1, 180), At);

        var timeout = core.Handle(CallInput.Wake, At + RingFor);

        Assert.Equal<CallOutput>(
            [
                new CallOutput.ReleaseBranch(1, BranchRelease.Cancel),
                new CallOutput.NotifyTransferor(0, 480, "Temporarily Unavailable", Final: true),
                new CallOutput.ReattachCallee(),
                new CallOutput.ReleaseOffers(),
            ],
            timeout.Outputs);
        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(0, core.Winner);
    }

    [Fact]
    public void A_target_with_nobody_registered_is_notified_480_and_the_call_goes_on()
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Callee, "<sip:103@example.com>"), At);
        core.Handle(new CallInput.TransferTargetFound(new Route.ToExtension(Carol)), At);

        var failed = core.Handle(new CallInput.SetUpFailed(CallEndReason.Unavailable), At);

        Assert.Equal<CallOutput>(
            [new CallOutput.NotifyTransferor(0, 480, "Temporarily Unavailable", Final: true), new CallOutput.ReattachCallee(), new CallOutput.ReleaseOffers()],
            failed.Outputs);
        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(0, core.Winner);
    }

    [Theory]
    [InlineData(true, 403, "Forbidden")]
    [InlineData(false, 404, "Not Found")]
    public void A_target_the_transferor_may_not_call_is_notified_and_the_call_goes_on_untouched(bool denied, int status, string reason)
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Callee, "<sip:0900123@example.com>"), At);

        Route route = denied ? new Route.NotPermitted("class") : new Route.NotFound();
        var step = core.Handle(new CallInput.TransferTargetFound(route), At);

        Assert.Equal<CallOutput>([new CallOutput.NotifyTransferor(0, status, reason, Final: true)], step.Outputs);
        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(0, core.Winner);
        Assert.Null(core.Transferor);

        // Nothing is left of it: the next REFER is taken.
        Assert.Equal(new CallOutput.Respond(202), core.Handle(Refer(CallSide.Callee, "<sip:103@example.com>"), At).Outputs[0]);
    }

    [Fact]
    public void The_transferors_bye_while_the_target_rings_ends_its_part_only_and_a_later_failure_ends_the_call()
    {
        var core = TransferRinging();

        var bye = core.Handle(new CallInput.TransferorRequest(CallCoreTests.Request("BYE"), InDialog: true), At);
        Assert.Equal<CallOutput>([new CallOutput.Respond(200), new CallOutput.ReleaseBranch(0, BranchRelease.Forget)], bye.Outputs);
        Assert.Equal(CallState.Ringing, core.State);

        var busy = core.Handle(CallCoreRingingTests.Response(1, 486), At);
        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Busy, CallSide.Callee))], busy.Outputs);
    }

    [Fact]
    public void The_transferors_bye_then_the_targets_answer_bridges_the_caller_without_notify()
    {
        var core = TransferRinging();
        core.Handle(new CallInput.TransferorRequest(CallCoreTests.Request("BYE"), InDialog: true), At);
        core.Handle(CallCoreRingingTests.Response(1, 200, "v=0\r\n"), At);

        var answered = core.Handle(new CallInput.AnswerApplied(1, Usable: true), At);

        Assert.Equal<CallOutput>([new CallOutput.ReleaseOffers()], answered.Outputs);
        Assert.Equal(1, core.Winner);
    }

    [Fact]
    public void The_caller_hanging_up_while_the_target_rings_cancels_it_and_byes_the_transferor()
    {
        var core = TransferRinging();
        core.Handle(CallCoreRingingTests.Response(1, 180), At);

        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Hangup, CallSide.Caller))], core.Handle(CallInput.CallerHangup, At).Outputs);
        var releases = core.Releases(new CallEnd(CallEndReason.Hangup, CallSide.Caller));

        Assert.Equal<(int, BranchRelease)>([(0, BranchRelease.Bye), (1, BranchRelease.Cancel)], releases);
    }

    [Fact]
    public void A_refer_before_the_answer_is_refused_403_from_the_caller_and_from_a_ringing_branch()
    {
        var core = new CallCore("test", NullLogger.Instance);
        core.Handle(new CallInput.Ring([0], RingFor), At);

        Assert.Equal<CallOutput>([new CallOutput.Respond(403)], core.Handle(Refer(CallSide.Caller, "<sip:103@example.com>"), At).Outputs);
        Assert.Equal<CallOutput>(
            [new CallOutput.Respond(403)],
            core.Handle(new CallInput.BranchRequest(0, Refer(CallSide.Callee, "<sip:103@example.com>").Message), At).Outputs);
        Assert.Equal(CallState.Ringing, core.State);
    }

    [Theory]
    [InlineData("Callee", "<sip:103@example.com?Replaces=abc%3Bto-tag%3Db%3Bfrom-tag%3Da>", 501)]
    [InlineData("Callee", "<sip:example.com>", 400)]
    [InlineData("Callee", null, 400)]
    public void Refers_the_pbx_cannot_act_on_are_refused_and_change_nothing(string side, string? referTo, int status)
    {
        var core = Answered();

        var step = core.Handle(Refer(Enum.Parse<CallSide>(side), referTo), At);

        Assert.Equal<CallOutput>([new CallOutput.Respond(status)], step.Outputs);
        Assert.Equal(CallState.Live, core.State);
        Assert.Null(core.Transferor);
    }

    [Fact]
    public void A_second_refer_while_one_is_under_way_gets_491()
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Callee, "<sip:103@example.com>"), At);

        Assert.Equal<CallOutput>([new CallOutput.Respond(491)], core.Handle(Refer(CallSide.Callee, "<sip:104@example.com>"), At).Outputs);
    }

    [Fact]
    public void A_queue_target_takes_the_caller_at_once_the_transferor_hears_200_and_bye_and_the_queue_is_the_transferors()
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Callee, "<sip:500@example.com>"), At);
        var sales = Queue("other.example", "sales");

        var step = core.Handle(new CallInput.TransferTargetFound(new Route.ToQueueLine(sales)), At);

        // The queue the transferor's dialling found, in its domain: no look-up as the caller (LookUpRoute) at all.
        Assert.Equal<CallOutput>(
            [
                new CallOutput.NotifyTransferor(0, 200, "OK", Final: true),
                new CallOutput.ReleaseBranch(0, BranchRelease.Bye),
                new CallOutput.HandOverCaller("transfer>queue:sales"),
                new CallOutput.JoinQueue("sales", "other.example"),
            ],
            step.Outputs);
        Assert.Equal(CallState.Transfer, core.State);
        Assert.Null(core.Winner);
        Assert.Null(core.Transferor);

        Assert.Equal<CallOutput>([new CallOutput.PlayHoldMusic()], core.Handle(new CallInput.Queued("sales"), At).Outputs);
        Assert.Equal(CallState.Queued, core.State);

        // The transferor is nobody's now: a caller hanging up in the queue has no branch to release.
        core.Handle(CallInput.CallerHangup, At);
        Assert.Empty(core.Releases(new CallEnd(CallEndReason.Hangup, CallSide.Caller)));
    }

    [Theory]
    [InlineData(BuiltInService.Echo, "*43", "transfer>service:echo:*43")]
    [InlineData(BuiltInService.Ivr, "*50", "transfer>service:ivr:*50")]
    public void A_service_target_takes_the_caller_at_once_and_the_transferor_hears_200_and_bye(BuiltInService service, string number, string routeStep)
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Callee, $"<sip:{number}@example.com>"), At);

        var step = core.Handle(new CallInput.TransferTargetFound(new Route.ToService(service)), At);

        CallOutput start = service == BuiltInService.Echo ? new CallOutput.EchoCaller() : new CallOutput.RestartIvr();
        Assert.Equal<CallOutput>(
            [
                new CallOutput.NotifyTransferor(0, 200, "OK", Final: true),
                new CallOutput.ReleaseBranch(0, BranchRelease.Bye),
                new CallOutput.HandOverCaller(routeStep),
                start,
            ],
            step.Outputs);
        Assert.Equal(CallState.Transfer, core.State);
        Assert.Null(core.Winner);
    }

    [Fact]
    public void A_caller_the_transferor_held_is_handed_over_no_longer_held()
    {
        var core = Answered();
        core.Handle(CallCoreHoldTests.PhoneReinvite(CallSide.Callee, "a=sendonly"), At);
        Assert.True(core.IsHeld(CallSide.Callee));
        core.Handle(Refer(CallSide.Callee, "<sip:*43@example.com>"), At);

        var step = core.Handle(new CallInput.TransferTargetFound(new Route.ToService(BuiltInService.Echo)), At);

        // The hold was the transferor's and it left: the hand-over itself stops the music, no resume follows.
        Assert.DoesNotContain(step.Outputs, o => o is CallOutput.HoldMusic);
        Assert.False(core.IsHeld(CallSide.Callee));
    }

    [Theory]
    [InlineData("dtmf-test")]
    [InlineData("queue-login")]
    public void A_star_code_service_target_is_notified_501_and_the_call_goes_on_untouched(string kind)
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Callee, "<sip:*44@example.com>"), At);
        Route route = kind == "dtmf-test" ? new Route.ToService(BuiltInService.DtmfTest) : new Route.ToService(BuiltInService.QueueLogin);

        var step = core.Handle(new CallInput.TransferTargetFound(route), At);

        Assert.Equal<CallOutput>([new CallOutput.NotifyTransferor(0, 501, "Not Implemented", Final: true)], step.Outputs);
        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(0, core.Winner);
    }

    [Fact]
    public void Refer_is_in_the_allow_list_of_a_calls_dialogs()
    {
        Assert.Contains("REFER", CallCore.AllowedInDialog.Split(", "));
    }

    internal static QueueDefinition Queue(string domain, string name) => new(
        1, domain, name, null, QueueStrategy.RingAll, ["101"], TimeSpan.FromMinutes(5), null, TimeSpan.Zero,
        TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15), "en", QueueDefinition.DefaultHoldMusic);

    /// <summary>A REFER in the dialog of <paramref name="side"/>, with this Refer-To (none when null).</summary>
    internal static CallInput.Request Refer(CallSide side, string? referTo)
    {
        var text =
            "REFER sip:pbx@198.51.100.1 SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-refer-1\r\n" +
            "Max-Forwards: 70\r\n" +
            "From: <sip:1002@pbx.test>;tag=b\r\n" +
            "To: <sip:1001@pbx.test>;tag=a\r\n" +
            "Call-ID: transfer-test\r\n" +
            "CSeq: 3 REFER\r\n" +
            (referTo is null ? "" : $"Refer-To: {referTo}\r\n") +
            "Content-Length: 0\r\n\r\n";
        var parsed = SipParser.Parse(Encoding.UTF8.GetBytes(text).AsMemory());
        Assert.True(parsed.IsSuccess, parsed.Error.ToString());
        return new CallInput.Request(side, (SipRequest)parsed.Message!, InDialog: true, null, CallPeers.None);
    }
}
