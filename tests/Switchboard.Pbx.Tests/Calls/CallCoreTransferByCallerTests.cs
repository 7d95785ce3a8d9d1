using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Services;
using static Switchboard.Pbx.Tests.Calls.CallCoreTransferTests;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>
/// Blind transfer asked by the calling side (RFC 5589 section 6, RFC 3515) in the call's sans-IO core: the phone that
/// placed the call (the calling leg) transfers the party it called (branch 0, the transferee) to Carol, who rings as
/// branch 1 while the transferee has taken the caller's place.
/// </summary>
public sealed class CallCoreTransferByCallerTests
{
    /// <summary>The caller's REFER to 103 accepted and Carol found: the transferee is in the caller's place, Carol rings as branch 1.</summary>
    private static CallCore TransferRinging()
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Caller, "<sip:103@example.com>"), At);
        var ring = core.Handle(new CallInput.TransferTargetFound(new Route.ToExtension(Carol)), At);
        Assert.Equal<CallOutput>([new CallOutput.CallerStepsAside("transfer>extension:103"), new CallOutput.RingExtension(Carol)], ring.Outputs);
        Assert.Equal((CallState.Transfer, null, 0, null), (core.State, core.Winner, core.CallerBranch, core.Transferor));
        Assert.Empty(core.Handle(new CallInput.Ring([1], RingFor), At).Outputs);
        Assert.Equal(CallState.Ringing, core.State);
        return core;
    }

    [Fact]
    public void The_callers_refer_is_accepted_notified_trying_on_its_own_dialog_and_resolved_as_it_dials()
    {
        var core = Answered();

        var step = core.Handle(Refer(CallSide.Caller, "<sip:103@example.com>"), At);

        Assert.Equal<CallOutput>(
            [new CallOutput.Respond(202), new CallOutput.NotifyCallingLeg(100, "Trying", Final: false), new CallOutput.ResolveTransferTarget("103")],
            step.Outputs);
        Assert.Equal((CallState.Live, 0, null), (core.State, core.Winner, core.CallerBranch));
    }

    [Fact]
    public void The_target_answers_the_transferee_is_bridged_to_it_and_the_transferor_hears_200_and_gets_bye()
    {
        var core = TransferRinging();

        // The transferee was answered long ago: no ringing to tell, no second answer.
        Assert.Empty(core.Handle(CallCoreRingingTests.Response(1, 180), At).Outputs);
        core.Handle(CallCoreRingingTests.Response(1, 200, "v=0\r\n"), At);
        var answered = core.Handle(new CallInput.AnswerApplied(1, Usable: true), At);

        Assert.Equal<CallOutput>(
            [
                new CallOutput.NotifyCallingLeg(200, "OK", Final: true),
                new CallOutput.ReleaseCallingLeg(BranchRelease.Bye),
                new CallOutput.ReleaseOffers(),
            ],
            answered.Outputs);
        Assert.Equal((CallState.Live, 1, 0), (core.State, core.Winner, core.CallerBranch));

        // The calling leg's own BYE after the NOTIFY finds a dialog that is over.
        Assert.Equal<CallOutput>([new CallOutput.Respond(481)], core.Handle(new CallInput.CallingLegRequest(CallCoreTests.Request("BYE"), InDialog: false), At).Outputs);

        // The transferee speaks for the caller's side now: its BYE ends the call, Carol gets BYE, the transferee's dialog is over.
        var bye = core.Handle(new CallInput.Request(CallSide.Caller, CallCoreTests.Request("BYE"), InDialog: true, null, CallPeers.None), At);
        Assert.Equal<CallOutput>(
            [new CallOutput.Respond(200), new CallOutput.TerminateDialog(CallSide.Caller), new CallOutput.End(new CallEnd(CallEndReason.Hangup, CallSide.Caller))],
            bye.Outputs);
        Assert.Equal<(int, BranchRelease)>([(0, BranchRelease.Forget), (1, BranchRelease.Bye)], core.Releases(new CallEnd(CallEndReason.Hangup, CallSide.Caller)));
    }

    [Fact]
    public void When_the_target_hangs_up_after_the_transfer_the_transferee_gets_bye_and_the_transferor_hears_nothing_more()
    {
        var core = TransferRinging();
        core.Handle(CallCoreRingingTests.Response(1, 200, "v=0\r\n"), At);
        core.Handle(new CallInput.AnswerApplied(1, Usable: true), At);
        var end = new CallEnd(CallEndReason.RemoteHangup, CallSide.Callee);

        var ending = core.Handle(new CallInput.Ending(end, CallerHungUpFirst: false), At);

        Assert.Equal<CallOutput>(
            [
                new CallOutput.ReleaseBranch(0, BranchRelease.Bye),
                new CallOutput.ReleaseBranch(1, BranchRelease.Forget),
                new CallOutput.CloseMedia(),
                new CallOutput.WriteRecord(end),
                new CallOutput.TellCallerEnded(CallEndReason.RemoteHangup),
            ],
            ending.Outputs);
    }

    [Fact]
    public void A_busy_target_is_notified_on_the_calling_leg_and_each_party_is_back_on_its_side()
    {
        var core = TransferRinging();

        var busy = core.Handle(CallCoreRingingTests.Response(1, 486), At);

        Assert.Equal<CallOutput>(
            [
                new CallOutput.ReleaseBranch(1, BranchRelease.Forget),
                new CallOutput.NotifyCallingLeg(486, "Busy Here", Final: true),
                new CallOutput.ReattachCallee(),
                new CallOutput.ReleaseOffers(),
            ],
            busy.Outputs);
        Assert.Equal((CallState.Live, 0, null, null), (core.State, core.Winner, core.CallerBranch, core.Transferor));

        // The call goes on as before: the caller's hang-up is the calling leg's again, the callee gets BYE.
        Assert.Equal<(int, BranchRelease)>([(0, BranchRelease.Bye)], core.Releases(new CallEnd(CallEndReason.Hangup, CallSide.Caller)));

        // And the caller may try again.
        Assert.Equal(new CallOutput.Respond(202), core.Handle(Refer(CallSide.Caller, "<sip:103@example.com>"), At).Outputs[0]);
    }

    [Fact]
    public void A_target_with_nobody_registered_is_notified_480_and_the_call_goes_on()
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Caller, "<sip:103@example.com>"), At);
        core.Handle(new CallInput.TransferTargetFound(new Route.ToExtension(Carol)), At);

        var failed = core.Handle(new CallInput.SetUpFailed(CallEndReason.Unavailable), At);

        Assert.Equal<CallOutput>(
            [new CallOutput.NotifyCallingLeg(480, "Temporarily Unavailable", Final: true), new CallOutput.ReattachCallee(), new CallOutput.ReleaseOffers()],
            failed.Outputs);
        Assert.Equal((CallState.Live, 0, null), (core.State, core.Winner, core.CallerBranch));
    }

    [Theory]
    [InlineData(true, 403, "Forbidden")]
    [InlineData(false, 404, "Not Found")]
    public void A_target_the_calling_extension_may_not_call_is_notified_and_the_call_goes_on_untouched(bool denied, int status, string reason)
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Caller, "<sip:0900123@example.com>"), At);

        Route route = denied ? new Route.NotPermitted("class") : new Route.NotFound();
        var step = core.Handle(new CallInput.TransferTargetFound(route), At);

        Assert.Equal<CallOutput>([new CallOutput.NotifyCallingLeg(status, reason, Final: true)], step.Outputs);
        Assert.Equal((CallState.Live, 0, null), (core.State, core.Winner, core.CallerBranch));
    }

    [Fact]
    public void The_transferors_bye_while_the_target_rings_ends_its_part_only_and_the_target_still_gets_the_transferee()
    {
        var core = TransferRinging();

        var bye = core.Handle(new CallInput.CallingLegRequest(CallCoreTests.Request("BYE"), InDialog: true), At);
        Assert.Equal<CallOutput>([new CallOutput.Respond(200), new CallOutput.ReleaseCallingLeg(BranchRelease.Forget)], bye.Outputs);
        Assert.Equal(CallState.Ringing, core.State);

        // Its dialog is over: a retransmitted BYE finds none.
        Assert.Equal<CallOutput>([new CallOutput.Respond(481)], core.Handle(new CallInput.CallingLegRequest(CallCoreTests.Request("BYE"), InDialog: false), At).Outputs);

        core.Handle(CallCoreRingingTests.Response(1, 200, "v=0\r\n"), At);
        var answered = core.Handle(new CallInput.AnswerApplied(1, Usable: true), At);

        Assert.Equal<CallOutput>([new CallOutput.ReleaseOffers()], answered.Outputs);
        Assert.Equal((1, 0), (core.Winner, core.CallerBranch));
    }

    [Fact]
    public void The_transferor_gone_a_busy_target_ends_the_call_and_the_transferee_gets_bye()
    {
        var core = TransferRinging();
        core.Handle(new CallInput.CallingLegRequest(CallCoreTests.Request("BYE"), InDialog: true), At);

        var busy = core.Handle(CallCoreRingingTests.Response(1, 486), At);

        var end = new CallEnd(CallEndReason.Busy, CallSide.Callee);
        Assert.Equal<CallOutput>([new CallOutput.End(end)], busy.Outputs);
        Assert.Contains((0, BranchRelease.Bye), core.Releases(end));
    }

    [Fact]
    public void The_transferee_hanging_up_while_the_target_rings_cancels_it_and_the_transferor_is_told_the_call_is_over()
    {
        var core = TransferRinging();
        core.Handle(CallCoreRingingTests.Response(1, 180), At);

        var bye = core.Handle(new CallInput.Request(CallSide.Caller, CallCoreTests.Request("BYE"), InDialog: true, null, CallPeers.None), At);
        var end = new CallEnd(CallEndReason.Hangup, CallSide.Caller);
        Assert.Equal(new CallOutput.End(end), bye.Outputs[^1]);

        var ending = core.Handle(new CallInput.Ending(end, CallerHungUpFirst: false), At);

        // The transferee ended its own dialog; Carol is cancelled; the calling leg (still in its dialog) gets BYE.
        Assert.Equal<CallOutput>(
            [
                new CallOutput.ReleaseBranch(0, BranchRelease.Forget),
                new CallOutput.ReleaseBranch(1, BranchRelease.Cancel),
                new CallOutput.CloseMedia(),
                new CallOutput.WriteRecord(end),
                new CallOutput.TellCallerEnded(CallEndReason.RemoteHangup),
            ],
            ending.Outputs);
    }

    [Fact]
    public void A_second_refer_while_the_callers_is_under_way_gets_491_from_either_side()
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Caller, "<sip:103@example.com>"), At);

        Assert.Equal<CallOutput>([new CallOutput.Respond(491)], core.Handle(Refer(CallSide.Caller, "<sip:104@example.com>"), At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.Respond(491)], core.Handle(Refer(CallSide.Callee, "<sip:104@example.com>"), At).Outputs);
    }

    [Fact]
    public void A_callers_refer_with_replaces_is_not_supported()
    {
        var core = Answered();

        var step = core.Handle(Refer(CallSide.Caller, "<sip:103@example.com?Replaces=abc%3Bto-tag%3Db%3Bfrom-tag%3Da>"), At);

        Assert.Equal<CallOutput>([new CallOutput.Respond(501)], step.Outputs);
        Assert.Equal((CallState.Live, null), (core.State, core.CallerBranch));
    }

    [Theory]
    [InlineData(BuiltInService.Echo, "*43", "transfer>service:echo:*43")]
    [InlineData(BuiltInService.Ivr, "*50", "transfer>service:ivr:*50")]
    public void A_service_takes_the_transferee_at_once_and_the_transferor_hears_200_and_bye(BuiltInService service, string number, string routeStep)
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Caller, $"<sip:{number}@example.com>"), At);

        var step = core.Handle(new CallInput.TransferTargetFound(new Route.ToService(service)), At);

        CallOutput start = service == BuiltInService.Echo ? new CallOutput.EchoCaller() : new CallOutput.RestartIvr();
        Assert.Equal<CallOutput>(
            [
                new CallOutput.CallerStepsAside(null),
                new CallOutput.NotifyCallingLeg(200, "OK", Final: true),
                new CallOutput.ReleaseCallingLeg(BranchRelease.Bye),
                new CallOutput.HandOverCaller(routeStep),
                start,
            ],
            step.Outputs);
        Assert.Equal((CallState.Transfer, null, 0), (core.State, core.Winner, core.CallerBranch));
    }

    [Fact]
    public void A_queue_takes_the_transferee_at_once_in_the_calling_extensions_domain()
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Caller, "<sip:500@example.com>"), At);

        var step = core.Handle(new CallInput.TransferTargetFound(new Route.ToQueueLine(Queue("example.com", "sales"))), At);

        Assert.Equal<CallOutput>(
            [
                new CallOutput.CallerStepsAside(null),
                new CallOutput.NotifyCallingLeg(200, "OK", Final: true),
                new CallOutput.ReleaseCallingLeg(BranchRelease.Bye),
                new CallOutput.HandOverCaller("transfer>queue:sales"),
                new CallOutput.JoinQueue("sales", "example.com"),
            ],
            step.Outputs);

        // The transferee waits in the queue in the caller's place: its hang-up there releases its own dialog only.
        core.Handle(new CallInput.Queued("sales"), At);
        Assert.Equal(CallState.Queued, core.State);
        Assert.Equal<(int, BranchRelease)>([(0, BranchRelease.Forget)], core.Releases(new CallEnd(CallEndReason.Hangup, CallSide.Caller)));
        Assert.Equal<(int, BranchRelease)>([(0, BranchRelease.Bye)], core.Releases(new CallEnd(CallEndReason.Shutdown, CallSide.Pbx)));
    }

    [Fact]
    public void A_transferee_the_transferor_held_stops_hearing_the_music_when_the_target_answers()
    {
        var core = Answered();
        core.Handle(CallCoreHoldTests.PhoneReinvite(CallSide.Caller, "a=sendonly"), At);
        core.Handle(Refer(CallSide.Caller, "<sip:103@example.com>"), At);
        core.Handle(new CallInput.TransferTargetFound(new Route.ToExtension(Carol)), At);

        // Each hold goes with its party: the transferor's is on the callee's side now.
        Assert.Equal((false, true), (core.IsHeld(CallSide.Caller), core.IsHeld(CallSide.Callee)));
        core.Handle(new CallInput.Ring([1], RingFor), At);
        core.Handle(CallCoreRingingTests.Response(1, 200, "v=0\r\n"), At);

        var answered = core.Handle(new CallInput.AnswerApplied(1, Usable: true), At);

        Assert.Contains(new CallOutput.HoldMusic(CallSide.Caller, Play: false), answered.Outputs);
        Assert.Equal((false, false), (core.IsHeld(CallSide.Caller), core.IsHeld(CallSide.Callee)));
    }

    [Fact]
    public void A_failed_transfer_gives_the_transferor_its_hold_back()
    {
        var core = Answered();
        core.Handle(CallCoreHoldTests.PhoneReinvite(CallSide.Caller, "a=sendonly"), At);
        core.Handle(Refer(CallSide.Caller, "<sip:103@example.com>"), At);
        core.Handle(new CallInput.TransferTargetFound(new Route.ToExtension(Carol)), At);

        core.Handle(new CallInput.SetUpFailed(CallEndReason.Unavailable), At);

        Assert.Equal((true, false), (core.IsHeld(CallSide.Caller), core.IsHeld(CallSide.Callee)));
    }
}
