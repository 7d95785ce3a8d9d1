using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Pbx.Calls;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>
/// The Ending state of the call's sans-IO core: once the end is decided, how each leg is let go, and what the
/// record keeps and the caller is told.
/// </summary>
public sealed class CallCoreEndingTests
{
    private static readonly TimeSpan At = TimeSpan.FromSeconds(9);

    private static CallCore NewCore() => new("test", NullLogger.Instance);

    /// <summary>Branches 0 and 1 rang; 0 answered and the call is live.</summary>
    private static CallCore Live()
    {
        var core = NewCore();
        core.Handle(new CallInput.Ring([0, 1], TimeSpan.FromSeconds(30)), At);
        core.Handle(new CallInput.AnswerApplied(0, Usable: true), At);
        Assert.Equal(CallState.Live, core.State);
        return core;
    }

    [Fact]
    public void The_callers_hangup_byes_the_answered_branch_then_closes_media_writes_the_record_and_tells_the_caller()
    {
        var core = Live();
        var end = new CallEnd(CallEndReason.Hangup, CallSide.Caller);

        var step = core.Handle(new CallInput.Ending(end, CallerHungUpFirst: false), At);

        Assert.Equal<CallOutput>(
            [new CallOutput.ReleaseBranch(0, BranchRelease.Bye), new CallOutput.CloseMedia(), new CallOutput.WriteRecord(end), new CallOutput.TellCallerEnded(CallEndReason.Hangup)],
            step.Outputs);
        Assert.Equal(CallState.Ending, core.State);
    }

    [Fact]
    public void A_callee_that_said_bye_gets_none_back_and_one_whose_media_timed_out_does_while_the_caller_hears_a_remote_hangup()
    {
        var byCallee = new CallEnd(CallEndReason.RemoteHangup, CallSide.Callee);
        Assert.Equal<CallOutput>(
            [new CallOutput.ReleaseBranch(0, BranchRelease.Forget), new CallOutput.CloseMedia(), new CallOutput.WriteRecord(byCallee), new CallOutput.TellCallerEnded(CallEndReason.RemoteHangup)],
            Live().Handle(new CallInput.Ending(byCallee, CallerHungUpFirst: false), At).Outputs);

        var silent = new CallEnd(CallEndReason.MediaTimeout, CallSide.Callee);
        Assert.Equal<CallOutput>(
            [new CallOutput.ReleaseBranch(0, BranchRelease.Bye), new CallOutput.CloseMedia(), new CallOutput.WriteRecord(silent), new CallOutput.TellCallerEnded(CallEndReason.RemoteHangup)],
            Live().Handle(new CallInput.Ending(silent, CallerHungUpFirst: false), At).Outputs);
    }

    [Fact]
    public void A_pbx_end_with_the_callers_hangup_already_waiting_is_the_callers_hangup_until_the_caller_is_answered()
    {
        var unavailable = new CallEnd(CallEndReason.Unavailable, CallSide.Pbx);
        var hangup = new CallEnd(CallEndReason.Hangup, CallSide.Caller);

        var routing = NewCore().Handle(new CallInput.Ending(unavailable, CallerHungUpFirst: true), At);
        Assert.Equal<CallOutput>([new CallOutput.CloseMedia(), new CallOutput.WriteRecord(hangup), new CallOutput.TellCallerEnded(CallEndReason.Hangup)], routing.Outputs);

        var notWaiting = NewCore().Handle(new CallInput.Ending(unavailable, CallerHungUpFirst: false), At);
        Assert.Contains(new CallOutput.WriteRecord(unavailable), notWaiting.Outputs);

        var error = new CallEnd(CallEndReason.Error, CallSide.Pbx);
        var answered = Live().Handle(new CallInput.Ending(error, CallerHungUpFirst: true), At);
        Assert.Contains(new CallOutput.WriteRecord(error), answered.Outputs);
    }

    [Fact]
    public void A_shutdown_while_ringing_cancels_the_ringing_branches_and_forgets_the_refused_ones()
    {
        var core = NewCore();
        core.Handle(new CallInput.Ring([0, 1], TimeSpan.FromSeconds(30)), At);
        core.Handle(new CallInput.BranchResponse(0, CallCoreRingingTests.Refusal(486)), At);
        var shutdown = new CallEnd(CallEndReason.Shutdown, CallSide.Pbx);

        var step = core.Handle(new CallInput.Ending(shutdown, CallerHungUpFirst: false), At);

        Assert.Equal<CallOutput>(
            [
                new CallOutput.ReleaseBranch(0, BranchRelease.Forget),
                new CallOutput.ReleaseBranch(1, BranchRelease.Cancel),
                new CallOutput.CloseMedia(),
                new CallOutput.WriteRecord(shutdown),
                new CallOutput.TellCallerEnded(CallEndReason.Shutdown),
            ],
            step.Outputs);
    }
}
