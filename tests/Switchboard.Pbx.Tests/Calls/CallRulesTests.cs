using Switchboard.Pbx.Calls;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>The call's pure decisions: how branches are let go, why nobody answered, what the caller is told.</summary>
public sealed class CallRulesTests
{
    private static readonly CallEnd CallerHungUp = new(CallEndReason.Hangup, CallSide.Caller);
    private static readonly CallEnd CalleeHungUp = new(CallEndReason.RemoteHangup, CallSide.Callee);
    private static readonly CallEnd CalleeSilent = new(CallEndReason.MediaTimeout, CallSide.Callee);

    [Fact]
    public void The_winner_gets_bye_unless_it_hung_up_itself()
    {
        Assert.Equal(BranchRelease.Bye, CallRules.Release(BranchState.Answered, isWinner: true, CallerHungUp));
        Assert.Equal(BranchRelease.Bye, CallRules.Release(BranchState.Answered, isWinner: true, CalleeSilent));
        Assert.Equal(BranchRelease.Forget, CallRules.Release(BranchState.Answered, isWinner: true, CalleeHungUp));
    }

    [Fact]
    public void Ringing_branches_are_cancelled_refused_ones_unbound_cancelled_ones_left_alone()
    {
        foreach (var end in new CallEnd?[] { CallerHungUp, null })
        {
            Assert.Equal(BranchRelease.Cancel, CallRules.Release(BranchState.Calling, isWinner: false, end));
            Assert.Equal(BranchRelease.Cancel, CallRules.Release(BranchState.Proceeding, isWinner: false, end));
            Assert.Equal(BranchRelease.Cancel, CallRules.Release(BranchState.Ringing, isWinner: false, end));
            Assert.Equal(BranchRelease.Forget, CallRules.Release(BranchState.Failed, isWinner: false, end));
            Assert.Equal(BranchRelease.None, CallRules.Release(BranchState.Abandoned, isWinner: false, end));
        }
    }

    [Fact]
    public void Busy_beats_declined_beats_no_answer_beats_unavailable()
    {
        Assert.Equal(CallEndReason.Busy, CallRules.ReasonForFailures([480, 603, 486]));
        Assert.Equal(CallEndReason.Declined, CallRules.ReasonForFailures([480, 603, 500]));
        Assert.Equal(CallEndReason.NoAnswer, CallRules.ReasonForFailures([487, 408]));
        Assert.Equal(CallEndReason.Unavailable, CallRules.ReasonForFailures([408, 503]));
    }

    [Fact]
    public void A_ring_group_falls_back_only_when_nobody_took_the_call()
    {
        Assert.True(CallRules.FallsBack(CallEndReason.NoAnswer));
        Assert.True(CallRules.FallsBack(CallEndReason.Busy));
        Assert.False(CallRules.FallsBack(CallEndReason.Hangup));
        Assert.False(CallRules.FallsBack(CallEndReason.Error));
    }

    [Fact]
    public void The_caller_hears_remote_hangup_for_a_media_timeout_the_record_keeps_it()
    {
        Assert.Equal(CallEndReason.RemoteHangup, CallRules.ForCaller(CallEndReason.MediaTimeout));
        Assert.Equal(CallEndReason.Busy, CallRules.ForCaller(CallEndReason.Busy));
        Assert.Equal("media_timeout", CallEndReason.MediaTimeout.ToCode());
        Assert.Equal("callee", CallSide.Callee.ToCode());
    }
}
