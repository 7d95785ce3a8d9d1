using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Pbx.Calls;
using static Switchboard.Pbx.Tests.Calls.CallCoreRingingTests;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>The Queued state of the call's core (docs/queues.md): music, announcements, agents rung, missed, answered, fallback.</summary>
public sealed class CallCoreQueueTests
{
    private static readonly TimeSpan At = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RingFor = TimeSpan.FromSeconds(15);

    private static CallCore Queued()
    {
        var core = new CallCore("test", NullLogger.Instance, new CallOptions());
        Assert.Equal<CallOutput>([new CallOutput.JoinQueue("sales")], core.Handle(new CallInput.Dial("queue:sales", FromSip: true), At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.PlayHoldMusic()], core.Handle(new CallInput.Queued("sales"), At).Outputs);
        Assert.Equal(CallState.Queued, core.State);
        return core;
    }

    [Fact]
    public void An_announcement_replaces_the_music_which_comes_back_when_it_ends_or_cannot_play()
    {
        var core = Queued();
        Assert.Equal<CallOutput>(
            [new CallOutput.StopPrompt(), new CallOutput.PlayAnnouncement(2, TimeSpan.FromMinutes(4), "de")],
            core.Handle(new CallInput.QueueAnnounce(2, TimeSpan.FromMinutes(4), "de"), At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.PlayHoldMusic()], core.Handle(CallInput.PromptUnplayable, At).Outputs);

        // The music loops and raises no end of its own: a second end changes nothing.
        Assert.Empty(core.Handle(CallInput.PromptUnplayable, At).Outputs);
    }

    [Fact]
    public void Agents_who_let_the_offer_ring_out_are_let_go_and_the_caller_waits_on_with_music()
    {
        var core = Queued();
        var ringing = core.Handle(new CallInput.Ring([0, 1], RingFor), At);
        Assert.Equal(CallState.Ringing, core.State);
        Assert.Equal(At + RingFor, ringing.NextDeadline);
        core.Handle(Response(0, 180), At);

        var missed = core.Handle(CallInput.Wake, At + RingFor);
        Assert.Equal<CallOutput>(
            [
                new CallOutput.ReleaseBranch(0, BranchRelease.Cancel),
                new CallOutput.ReleaseBranch(1, BranchRelease.Cancel),
                new CallOutput.ReleaseOffers(),
                new CallOutput.StopPrompt(),
                new CallOutput.PlayHoldMusic(),
                new CallOutput.QueueMissed(),
            ],
            missed.Outputs);
        Assert.Equal(CallState.Queued, core.State);

        // No agent had a phone to ring: a miss at once, still waiting.
        Assert.Equal<CallOutput>([new CallOutput.QueueMissed()], core.Handle(new CallInput.Ring([], RingFor), At).Outputs);
        Assert.Equal(CallState.Queued, core.State);
    }

    [Fact]
    public void The_agent_who_answers_stops_the_music_is_named_to_the_queue_and_the_caller_is_not_answered_twice()
    {
        var core = Queued();
        core.Handle(new CallInput.Ring([3, 4], RingFor), At);
        core.Handle(Response(4, 200, "v=0\r\n"), At);
        var live = core.Handle(new CallInput.AnswerApplied(4, Usable: true), At);
        Assert.Equal<CallOutput>(
            [
                new CallOutput.ReleaseBranch(3, BranchRelease.Cancel),
                new CallOutput.ReleaseOffers(),
                new CallOutput.StopPrompt(),
                new CallOutput.QueueAnswered(4),
            ],
            live.Outputs);
        Assert.Equal(CallState.Live, core.State);
    }

    [Fact]
    public void The_fallback_transfers_the_caller_or_hangs_up_with_the_reason_given()
    {
        var core = Queued();
        Assert.Equal<CallOutput>(
            [new CallOutput.StopPrompt(), new CallOutput.Transfer("*50")],
            core.Handle(new CallInput.QueueFallback("*50"), At).Outputs);
        Assert.Equal(CallState.Transfer, core.State);

        var busy = Queued();
        Assert.Equal<CallOutput>(
            [new CallOutput.StopPrompt(), new CallOutput.End(new CallEnd(CallEndReason.Busy, CallSide.Pbx))],
            busy.Handle(new CallInput.QueueFallback("hangup:busy"), At).Outputs);
        var none = Queued();
        Assert.Equal<CallOutput>(
            [new CallOutput.StopPrompt(), new CallOutput.End(new CallEnd(CallEndReason.Unavailable, CallSide.Pbx))],
            none.Handle(new CallInput.QueueFallback(null), At).Outputs);
    }

    [Fact]
    public void A_transfer_to_another_queue_or_back_to_the_ivr_is_routed_without_the_dial_plan_or_with_it()
    {
        var core = Queued();
        core.Handle(new CallInput.QueueFallback("queue:overflow"), At);
        Assert.Equal<CallOutput>([new CallOutput.JoinQueue("overflow")], core.Handle(new CallInput.Dial("queue:overflow", FromSip: true), At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.PlayHoldMusic()], core.Handle(new CallInput.Queued("overflow"), At).Outputs);
        Assert.Equal(CallState.Queued, core.State);

        core.Handle(new CallInput.QueueFallback("*50"), At);
        Assert.Equal<CallOutput>(
            [new CallOutput.RestartIvr()],
            core.Handle(new CallInput.RouteFound(new Switchboard.Pbx.Routing.Route.ToService(Switchboard.Pbx.Services.BuiltInService.Ivr)), At).Outputs);
    }

    [Fact]
    public void A_star_codes_confirmation_plays_and_then_the_pbx_hangs_up()
    {
        var core = new CallCore("test", NullLogger.Instance, new CallOptions());
        Assert.Equal<CallOutput>([new CallOutput.PlayPrompt("queue-en-logged-in.wav")], core.Handle(new CallInput.AnnounceThenHangUp("queue-en-logged-in.wav"), At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.RemoteHangup, CallSide.Callee))], core.Handle(CallInput.PromptUnplayable, At).Outputs);
    }
}
