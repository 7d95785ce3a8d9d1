using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Routing;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>
/// Blind transfer (REFER, RFC 5589 section 6) to an external number in the call's sans-IO core: the answered callee
/// (branch 0) refers the caller to a number its dialling sends out through a trunk; the carrier's INVITEs are the
/// branches after it.
/// </summary>
public sealed class CallCoreTransferToTrunkTests
{
    private static readonly TimeSpan At = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RingFor = TimeSpan.FromSeconds(30);
    private static readonly CallOptions Options = new();
    private static readonly Route.ToTrunk Outside = new("carrier", "5551234", NumberClass.National);

    /// <summary>The callee's REFER to 5551234, resolved to the trunk route: the lease and trunks are asked for, nothing else changes yet.</summary>
    private static CallCore Referred()
    {
        var core = CallCoreTransferTests.Answered();
        core.Handle(CallCoreTransferTests.Refer(CallSide.Callee, "<sip:5551234@example.com>"), At);
        var found = core.Handle(new CallInput.TransferTargetFound(Outside), At);
        Assert.Equal<CallOutput>([new CallOutput.LookUpTransferTrunks(Outside)], found.Outputs);
        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(0, core.Winner);
        return core;
    }

    /// <summary>The transferor's lease granted with <paramref name="trunks"/> trunks: the first carrier is called as branch 1.</summary>
    private static CallCore CarrierRinging(int trunks = 1)
    {
        var core = Referred();
        var granted = core.Handle(new CallInput.TrunksFound(trunks, Permitted: true), At);
        Assert.Equal<CallOutput>([new CallOutput.DetachCallee("transfer>trunk:carrier:5551234"), new CallOutput.CallTransferTrunks(Outside)], granted.Outputs);
        Assert.Equal(CallState.Transfer, core.State);
        Assert.Null(core.Winner);
        Assert.Equal(0, core.Transferor);
        Assert.Equal<CallOutput>([new CallOutput.CallTrunk(0)], core.Handle(new CallInput.RingTrunks(trunks, RingFor), At).Outputs);
        Assert.Equal(CallState.Ringing, core.State);
        Assert.Empty(core.Handle(new CallInput.TrunkCalled(0, Branch: 1), At).Outputs);
        return core;
    }

    [Fact]
    public void The_carrier_answers_after_its_digest_challenge_the_caller_is_bridged_and_the_transferor_hears_200_and_bye()
    {
        var core = CarrierRinging();

        // RFC 3261 section 22.2: the carrier's 407 is answered once with the trunk's account, as for an outgoing call.
        var challenge = CallCoreRingingTests.Response(1, 407);
        Assert.Equal<CallOutput>([new CallOutput.ReadTrunkCredentials(1, challenge.Response)], core.Handle(challenge, At).Outputs);
        var authorization = ("Proxy-Authorization", "Digest username=\"acct\"");
        Assert.Equal<CallOutput>([new CallOutput.RetryWithCredentials(1, authorization)], core.Handle(new CallInput.TrunkCredentials(1, authorization), At).Outputs);

        // Ringing and early media (183 with SDP) change nothing: the caller, answered long ago, still hears the transferor.
        Assert.Empty(core.Handle(CallCoreRingingTests.Response(1, 180), At).Outputs);
        Assert.Empty(core.Handle(CallCoreRingingTests.Response(1, 183, "v=0\r\n"), At).Outputs);
        Assert.Equal(CallState.Ringing, core.State);

        var later = At + TimeSpan.FromSeconds(10);
        var ok = CallCoreRingingTests.Response(1, 200, "v=0\r\n");
        Assert.Equal<CallOutput>([new CallOutput.Acknowledge(1, ok.Response), new CallOutput.ApplyAnswer(1, "v=0\r\n")], core.Handle(ok, later).Outputs);
        var answered = core.Handle(new CallInput.AnswerApplied(1, Usable: true), later);

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

        // The maximum duration still counts from the caller's first answer: going out does not stretch a token's cap.
        Assert.Equal(At + Options.MaxCallDuration, answered.NextDeadline);
        Assert.Equal<(int, BranchRelease)>([(1, BranchRelease.Bye)], core.Releases(new CallEnd(CallEndReason.Hangup, CallSide.Caller)));
    }

    [Fact]
    public void A_busy_carrier_is_notified_486_and_the_transferor_is_the_callee_again()
    {
        var core = CarrierRinging();

        var busy = core.Handle(CallCoreRingingTests.Response(1, 486), At);

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

        // Nothing is left of it: the transferor may try again.
        Assert.Equal(new CallOutput.Respond(202), core.Handle(CallCoreTransferTests.Refer(CallSide.Callee, "<sip:5551234@example.com>"), At).Outputs[0]);
    }

    [Theory]
    [InlineData(404, "Not Found")]
    [InlineData(484, "Address Incomplete")]
    [InlineData(403, "Forbidden")]
    public void A_carrier_refusal_is_notified_with_the_carriers_own_status(int status, string reason)
    {
        var core = CarrierRinging();

        var refused = core.Handle(CallCoreRingingTests.Response(1, status), At);

        Assert.Contains(new CallOutput.NotifyTransferor(0, status, reason, Final: true), refused.Outputs);
        Assert.Equal(0, core.Winner);
    }

    [Fact]
    public void A_5xx_fails_over_to_the_next_trunk_and_when_that_one_is_silent_too_the_transferor_hears_408()
    {
        var core = CarrierRinging(trunks: 2);

        Assert.Equal<CallOutput>([new CallOutput.CallTrunk(1)], core.Handle(CallCoreRingingTests.Response(1, 503), At).Outputs);
        core.Handle(new CallInput.TrunkCalled(1, Branch: 2), At);

        // Not even 100 Trying from the second carrier within the trunk timeout: it is down (RFC 3261 section 17.1.1.2's 408).
        var silent = core.Handle(CallInput.Wake, At + Options.TrunkResponseTimeout);

        Assert.Equal<CallOutput>(
            [
                new CallOutput.ReleaseBranch(2, BranchRelease.Cancel),
                new CallOutput.ReleaseBranch(1, BranchRelease.Forget),
                new CallOutput.ReleaseBranch(2, BranchRelease.Forget),
                new CallOutput.NotifyTransferor(0, 408, "Request Timeout", Final: true),
                new CallOutput.ReattachCallee(),
                new CallOutput.ReleaseOffers(),
            ],
            silent.Outputs);
        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(0, core.Winner);
    }

    [Fact]
    public void Trunks_none_of_which_can_be_reached_are_notified_480_and_the_call_goes_on()
    {
        var core = Referred();
        core.Handle(new CallInput.TrunksFound(2, Permitted: true), At);
        core.Handle(new CallInput.RingTrunks(2, RingFor), At);

        Assert.Equal<CallOutput>([new CallOutput.CallTrunk(1)], core.Handle(new CallInput.TrunkCalled(0, Branch: null), At).Outputs);
        var none = core.Handle(new CallInput.TrunkCalled(1, Branch: null), At);

        Assert.Equal<CallOutput>(
            [
                new CallOutput.NotifyTransferor(0, 480, "Temporarily Unavailable", Final: true),
                new CallOutput.ReattachCallee(),
                new CallOutput.ReleaseOffers(),
            ],
            none.Outputs);
        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(0, core.Winner);
    }

    [Fact]
    public void A_carrier_ringing_past_the_ring_timeout_is_cancelled_and_notified_480()
    {
        var core = CarrierRinging();
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
        Assert.Equal(0, core.Winner);
    }

    [Fact]
    public void A_lease_the_policy_refuses_the_transferor_is_notified_403_and_the_call_goes_on_untouched()
    {
        var core = Referred();

        var refused = core.Handle(new CallInput.TrunksFound(2, Permitted: false), At);

        Assert.Equal<CallOutput>([new CallOutput.NotifyTransferor(0, 403, "Forbidden", Final: true)], refused.Outputs);
        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(0, core.Winner);
        Assert.Null(core.Transferor);
    }

    [Fact]
    public void A_domain_without_a_trunk_to_reach_is_notified_480_and_the_call_goes_on()
    {
        var core = Referred();

        var none = core.Handle(new CallInput.TrunksFound(0, Permitted: false), At);

        Assert.Equal<CallOutput>([new CallOutput.NotifyTransferor(0, 480, "Temporarily Unavailable", Final: true)], none.Outputs);
        Assert.Equal(0, core.Winner);
    }

    [Fact]
    public void A_number_the_transferor_may_not_call_is_notified_403_before_any_trunk_is_looked_up()
    {
        var core = CallCoreTransferTests.Answered();
        core.Handle(CallCoreTransferTests.Refer(CallSide.Callee, "<sip:0044201234567@example.com>"), At);

        var step = core.Handle(new CallInput.TransferTargetFound(new Route.NotPermitted("international numbers are not permitted")), At);

        Assert.Equal<CallOutput>([new CallOutput.NotifyTransferor(0, 403, "Forbidden", Final: true)], step.Outputs);
        Assert.Equal(0, core.Winner);
    }

    [Fact]
    public void The_transferors_bye_while_the_carrier_rings_leaves_the_transfer_to_go_on_and_the_answer_bridges_the_caller()
    {
        var core = CarrierRinging();
        core.Handle(CallCoreRingingTests.Response(1, 180), At);

        var bye = core.Handle(new CallInput.TransferorRequest(CallCoreTests.Request("BYE"), InDialog: true), At);
        Assert.Equal<CallOutput>([new CallOutput.Respond(200), new CallOutput.ReleaseBranch(0, BranchRelease.Forget)], bye.Outputs);

        core.Handle(CallCoreRingingTests.Response(1, 200, "v=0\r\n"), At);
        var answered = core.Handle(new CallInput.AnswerApplied(1, Usable: true), At);

        Assert.Equal<CallOutput>([new CallOutput.ReleaseOffers()], answered.Outputs);
        Assert.Equal(1, core.Winner);
    }

    [Fact]
    public void The_transferors_bye_then_a_busy_carrier_ends_the_call_as_busy()
    {
        var core = CarrierRinging();
        core.Handle(new CallInput.TransferorRequest(CallCoreTests.Request("BYE"), InDialog: true), At);

        var busy = core.Handle(CallCoreRingingTests.Response(1, 486), At);

        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Busy, CallSide.Callee))], busy.Outputs);
    }

    [Fact]
    public void The_caller_hanging_up_while_the_carrier_rings_cancels_it_and_byes_the_transferor()
    {
        var core = CarrierRinging();
        core.Handle(CallCoreRingingTests.Response(1, 180), At);

        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Hangup, CallSide.Caller))], core.Handle(CallInput.CallerHangup, At).Outputs);

        Assert.Equal<(int, BranchRelease)>([(0, BranchRelease.Bye), (1, BranchRelease.Cancel)], core.Releases(new CallEnd(CallEndReason.Hangup, CallSide.Caller)));
    }

    [Fact]
    public void After_a_failed_transfer_to_a_carrier_a_transfer_to_an_extension_reports_its_own_status()
    {
        var core = CarrierRinging();
        core.Handle(CallCoreRingingTests.Response(1, 404), At);
        core.Handle(CallCoreTransferTests.Refer(CallSide.Callee, "<sip:103@example.com>"), At);
        var carol = new Switchboard.Pbx.Directory.Extension(9, "example.com", "103", "Carol", DateTimeOffset.UnixEpoch);
        core.Handle(new CallInput.TransferTargetFound(new Route.ToExtension(carol)), At);
        core.Handle(new CallInput.Ring([2], RingFor), At);
        core.Handle(CallCoreRingingTests.Response(2, 180), At);

        var timeout = core.Handle(CallInput.Wake, At + RingFor);

        Assert.Contains(new CallOutput.NotifyTransferor(0, 480, "Temporarily Unavailable", Final: true), timeout.Outputs);
    }
}
