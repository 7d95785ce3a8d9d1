using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Routing;
using static Switchboard.Pbx.Tests.Calls.CallCoreTransferTests;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>
/// The calling side's REFER to an external number (both branches merged): the transferee takes the caller's place
/// before the carrier is called for it, and a carrier's refusal puts each party back on its side.
/// </summary>
public sealed class CallCoreTransferByCallerToTrunkTests
{
    private static readonly Route.ToTrunk Outside = new("carrier", "5551234", NumberClass.National);

    private static CallCore CarrierRinging()
    {
        var core = Answered();
        core.Handle(Refer(CallSide.Caller, "<sip:5551234@example.com>"), At);
        Assert.Equal<CallOutput>([new CallOutput.LookUpTransferTrunks(Outside)], core.Handle(new CallInput.TransferTargetFound(Outside), At).Outputs);
        var granted = core.Handle(new CallInput.TrunksFound(1, Permitted: true), At);
        Assert.Equal<CallOutput>([new CallOutput.CallerStepsAside("transfer>trunk:carrier:5551234"), new CallOutput.CallTransferTrunks(Outside)], granted.Outputs);
        Assert.Equal((CallState.Transfer, null, 0), (core.State, core.Winner, core.CallerBranch));
        core.Handle(new CallInput.RingTrunks(1, RingFor), At);
        core.Handle(new CallInput.TrunkCalled(0, Branch: 1), At);
        return core;
    }

    [Fact]
    public void The_carrier_answers_for_the_transferee_and_the_calling_leg_hears_200_and_bye()
    {
        var core = CarrierRinging();
        core.Handle(CallCoreRingingTests.Response(1, 200, "v=0\r\n"), At);

        var answered = core.Handle(new CallInput.AnswerApplied(1, Usable: true), At);

        Assert.Equal<CallOutput>(
            [new CallOutput.NotifyCallingLeg(200, "OK", Final: true), new CallOutput.ReleaseCallingLeg(BranchRelease.Bye), new CallOutput.ReleaseOffers()],
            answered.Outputs);
        Assert.Equal((1, 0), (core.Winner, core.CallerBranch));
    }

    [Fact]
    public void A_carrier_that_refuses_is_notified_with_its_status_and_each_party_is_back_on_its_side()
    {
        var core = CarrierRinging();

        var refused = core.Handle(CallCoreRingingTests.Response(1, 404), At);

        Assert.Contains(new CallOutput.NotifyCallingLeg(404, "Not Found", Final: true), refused.Outputs);
        Assert.Contains(new CallOutput.ReattachCallee(), refused.Outputs);
        Assert.Equal((CallState.Live, 0, null), (core.State, core.Winner, core.CallerBranch));
    }
}
