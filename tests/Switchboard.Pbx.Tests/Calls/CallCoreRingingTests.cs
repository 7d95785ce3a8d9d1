using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Ivr;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>
/// The Ringing state of the call's sans-IO core: branches' responses in, outputs asserted, on a plain
/// <see cref="TimeSpan"/> clock. Forking as a B2BUA applies RFC 3261 section 16.7, CANCEL section 9.1, credentials
/// section 22.2.
/// </summary>
public sealed class CallCoreRingingTests
{
    private static readonly TimeSpan At = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RingFor = TimeSpan.FromSeconds(30);
    private static readonly CallOptions Options = new();
    private static readonly (string, string) Authorization = ("Authorization", "Digest username=\"acct\"");

    private static CallCore NewCore() => new("test", NullLogger.Instance, Options);

    private static CallCore Ringing(params int[] branches)
    {
        var core = NewCore();
        var step = core.Handle(new CallInput.Ring(branches, RingFor), At);
        Assert.Empty(step.Outputs);
        Assert.Equal(CallState.Ringing, core.State);
        Assert.Equal(At + RingFor, step.NextDeadline);
        return core;
    }

    [Fact]
    public void Provisional_answers_tell_the_caller_ringing_once_and_only_for_a_180_or_183()
    {
        var core = Ringing(0, 1);

        Assert.Empty(core.Handle(Response(0, 100), At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.TellCallerRinging()], core.Handle(Response(0, 180), At).Outputs);
        Assert.Empty(core.Handle(Response(1, 183), At).Outputs);
    }

    [Fact]
    public void The_first_usable_2xx_wins_the_others_are_cancelled_their_offers_closed_and_the_caller_answered()
    {
        var core = Ringing(0, 1, 2);
        core.Handle(Response(1, 180), At);
        core.Handle(Response(2, 100), At);
        var ok = Response(0, 200, "v=0\r\n");

        var answered = core.Handle(ok, At);
        Assert.Equal<CallOutput>([new CallOutput.Acknowledge(0, ok.Response), new CallOutput.ApplyAnswer(0, "v=0\r\n")], answered.Outputs);
        Assert.Null(core.Winner);

        var live = core.Handle(new CallInput.AnswerApplied(0, Usable: true), At);
        Assert.Equal<CallOutput>(
            [
                new CallOutput.ReleaseBranch(1, BranchRelease.Cancel),
                new CallOutput.ReleaseBranch(2, BranchRelease.Cancel),
                new CallOutput.ReleaseOffers(),
                new CallOutput.AnswerCaller(),
            ],
            live.Outputs);
        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(0, core.Winner);
        Assert.Equal(At + Options.MaxCallDuration, live.NextDeadline);

        // A loser's 2xx that crossed our CANCEL is its own leg's business (ACK and BYE there): the call hears nothing of it.
        Assert.Empty(core.Handle(Response(1, 200), At).Outputs);

        // The caller hangs up: BYE to the winner, nothing more to the cancelled ones.
        Assert.Equal<(int, BranchRelease)>([(0, BranchRelease.Bye)], core.Releases(new CallEnd(CallEndReason.Hangup, CallSide.Caller)));
    }

    [Fact]
    public void An_unusable_answer_ends_that_branch_with_bye_and_counts_as_488_among_the_failures()
    {
        var core = Ringing(0, 1);
        core.Handle(Response(0, 200), At);

        var refused = core.Handle(new CallInput.AnswerApplied(0, Usable: false), At);
        Assert.Equal<CallOutput>([new CallOutput.ReleaseBranch(0, BranchRelease.Bye)], refused.Outputs);
        Assert.Equal(CallState.Ringing, core.State);

        var busy = core.Handle(Response(1, 486), At);
        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Busy, CallSide.Callee))], busy.Outputs);
    }

    [Theory]
    [InlineData(486, 603, "Busy")]
    [InlineData(603, 480, "Declined")]
    [InlineData(480, 487, "NoAnswer")]
    [InlineData(404, 500, "Unavailable")]
    public void When_every_branch_refused_the_call_ends_by_the_callee_for_the_reason_their_statuses_give(int first, int second, string why)
    {
        var core = Ringing(0, 1);

        Assert.Empty(core.Handle(Response(0, first), At).Outputs);
        var end = core.Handle(Response(1, second), At);

        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(Enum.Parse<CallEndReason>(why), CallSide.Callee))], end.Outputs);
    }

    [Fact]
    public void The_ring_timeout_ends_the_call_as_no_answer_and_not_before_and_the_ringing_branches_are_cancelled()
    {
        var core = Ringing(0, 1);
        core.Handle(Response(0, 180), At);
        core.Handle(Response(1, 486), At);

        Assert.Empty(core.Handle(CallInput.Wake, At + RingFor - TimeSpan.FromMilliseconds(1)).Outputs);
        var end = new CallEnd(CallEndReason.NoAnswer, CallSide.Pbx);
        Assert.Equal<CallOutput>([new CallOutput.End(end)], core.Handle(CallInput.Wake, At + RingFor).Outputs);

        Assert.Equal<(int, BranchRelease)>([(0, BranchRelease.Cancel), (1, BranchRelease.Forget)], core.Releases(end));
    }

    [Fact]
    public void The_calling_phones_cancel_while_ringing_is_its_hangup_and_every_ringing_branch_gets_cancel()
    {
        var core = Ringing(0, 1);
        core.Handle(Response(1, 100), At);

        var cancel = core.Handle(CallInput.CallerCancel, At);

        var end = new CallEnd(CallEndReason.Hangup, CallSide.Caller);
        Assert.Equal<CallOutput>([new CallOutput.End(end)], cancel.Outputs);
        Assert.Equal<(int, BranchRelease)>([(0, BranchRelease.Cancel), (1, BranchRelease.Cancel)], core.Releases(end));
    }

    [Fact]
    public void A_browser_callers_hangup_or_a_shutdown_while_ringing_ends_the_call_and_cancels_the_branches()
    {
        var hungUp = Ringing(0);
        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Hangup, CallSide.Caller))], hungUp.Handle(CallInput.CallerHangup, At).Outputs);

        var stopped = Ringing(0, 1);
        var shutdown = new CallEnd(CallEndReason.Shutdown, CallSide.Pbx);
        Assert.Equal<CallOutput>([new CallOutput.End(shutdown)], stopped.Handle(CallInput.PbxShutdown, At).Outputs);
        Assert.Equal<(int, BranchRelease)>([(0, BranchRelease.Cancel), (1, BranchRelease.Cancel)], stopped.Releases(shutdown));
    }

    [Fact]
    public void Requests_before_any_answer_are_answered_without_a_change_and_a_bye_has_no_dialog_to_end()
    {
        var core = Ringing(0);

        Assert.Equal<CallOutput>([new CallOutput.Respond(481)], core.Handle(new CallInput.BranchRequest(0, CallCoreTests.Request("BYE")), At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.Respond(200)], core.Handle(new CallInput.BranchRequest(0, CallCoreTests.Request("INFO")), At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.Respond(405)], core.Handle(new CallInput.BranchRequest(0, CallCoreTests.Request("UPDATE")), At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.Respond(405)], core.Handle(new CallInput.BranchRequest(0, CallCoreTests.Request("MESSAGE")), At).Outputs);
        Assert.Equal<CallOutput>(
            [new CallOutput.Respond(481)],
            core.Handle(new CallInput.Request(CallSide.Caller, CallCoreTests.Request("BYE"), InDialog: true, null, CallPeers.None), At).Outputs);
        Assert.Equal(CallState.Ringing, core.State);
    }

    [Fact]
    public void A_ring_group_nobody_answered_releases_every_member_then_goes_to_its_fallback_which_rings_anew()
    {
        var core = NewCore();
        core.Handle(new CallInput.Ring([0, 1, 2], TimeSpan.FromSeconds(20), Fallback: "200"), At);
        core.Handle(Response(0, 180), At);
        core.Handle(Response(1, 486), At);

        var fallback = core.Handle(CallInput.Wake, At + TimeSpan.FromSeconds(20));

        Assert.Equal<CallOutput>(
            [
                new CallOutput.ReleaseBranch(0, BranchRelease.Cancel),
                new CallOutput.ReleaseBranch(1, BranchRelease.Forget),
                new CallOutput.ReleaseBranch(2, BranchRelease.Cancel),
                new CallOutput.ReleaseOffers(),
                new CallOutput.Transfer("200"),
            ],
            fallback.Outputs);
        Assert.Equal(CallState.Transfer, core.State);
        Assert.Null(fallback.NextDeadline);

        // The fallback rings: only its branch is the call's now, and a late answer from a member changes nothing.
        core.Handle(new CallInput.Ring([3], RingFor), At + TimeSpan.FromSeconds(21));
        Assert.Empty(core.Handle(Response(0, 200), At + TimeSpan.FromSeconds(21)).Outputs);
        Assert.Equal<(int, BranchRelease)>([(3, BranchRelease.Cancel)], core.Releases(new CallEnd(CallEndReason.Hangup, CallSide.Caller)));
    }

    [Fact]
    public void A_ring_group_whose_members_are_all_busy_falls_back_at_once_and_one_with_none_to_ring_goes_straight_there()
    {
        var busy = NewCore();
        busy.Handle(new CallInput.Ring([0, 1], RingFor, Fallback: "voicemail"), At);
        busy.Handle(Response(0, 486), At);
        var fallback = busy.Handle(Response(1, 600), At);
        Assert.Equal<CallOutput>(
            [new CallOutput.ReleaseBranch(0, BranchRelease.Forget), new CallOutput.ReleaseBranch(1, BranchRelease.Forget), new CallOutput.ReleaseOffers(), new CallOutput.Transfer("voicemail")],
            fallback.Outputs);

        var empty = NewCore();
        var straight = empty.Handle(new CallInput.Ring([], RingFor, Fallback: "voicemail"), At);
        Assert.Equal<CallOutput>([new CallOutput.ReleaseOffers(), new CallOutput.Transfer("voicemail")], straight.Outputs);
        Assert.Equal(CallState.Transfer, empty.State);

        var none = NewCore();
        Assert.Equal<CallOutput>(
            [new CallOutput.End(new CallEnd(CallEndReason.Unavailable, CallSide.Pbx))],
            none.Handle(new CallInput.Ring([], RingFor), At).Outputs);
    }

    [Fact]
    public void Trunks_are_tried_in_failover_order_past_an_unreachable_one_a_5xx_and_a_silent_one_then_the_call_ends()
    {
        var core = NewCore();
        Assert.Equal<CallOutput>([new CallOutput.CallTrunk(0)], core.Handle(new CallInput.RingTrunks(3, RingFor), At).Outputs);
        Assert.Equal(CallState.Ringing, core.State);
        Assert.Equal<CallOutput>([new CallOutput.CallTrunk(1)], core.Handle(new CallInput.TrunkCalled(0, Branch: null), At).Outputs);

        var first = core.Handle(new CallInput.TrunkCalled(1, Branch: 0), At);
        Assert.Empty(first.Outputs);
        Assert.Equal(At + Options.TrunkResponseTimeout, first.NextDeadline);
        Assert.Equal<CallOutput>([new CallOutput.CallTrunk(2)], core.Handle(Response(0, 503), At).Outputs);

        var later = At + TimeSpan.FromSeconds(1);
        core.Handle(new CallInput.TrunkCalled(2, Branch: 1), later);
        Assert.Empty(core.Handle(CallInput.Wake, later + Options.TrunkResponseTimeout - TimeSpan.FromMilliseconds(1)).Outputs);
        var silent = core.Handle(CallInput.Wake, later + Options.TrunkResponseTimeout);

        Assert.Equal<CallOutput>(
            [new CallOutput.ReleaseBranch(1, BranchRelease.Cancel), new CallOutput.End(new CallEnd(CallEndReason.Unavailable, CallSide.Callee))],
            silent.Outputs);
    }

    [Fact]
    public void A_trunk_that_refuses_for_the_callee_or_answers_provisionally_in_time_gets_no_failover()
    {
        var busy = NewCore();
        busy.Handle(new CallInput.RingTrunks(2, RingFor), At);
        busy.Handle(new CallInput.TrunkCalled(0, Branch: 0), At);
        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Busy, CallSide.Callee))], busy.Handle(Response(0, 486), At).Outputs);

        var trying = NewCore();
        trying.Handle(new CallInput.RingTrunks(2, RingFor), At);
        trying.Handle(new CallInput.TrunkCalled(0, Branch: 0), At);
        trying.Handle(Response(0, 100), At);
        Assert.Empty(trying.Handle(CallInput.Wake, At + Options.TrunkResponseTimeout).Outputs);
        Assert.Equal(CallState.Ringing, trying.State);
    }

    [Fact]
    public void No_trunk_reachable_at_all_is_unavailable_by_the_pbx()
    {
        var core = NewCore();
        core.Handle(new CallInput.RingTrunks(1, RingFor), At);

        var step = core.Handle(new CallInput.TrunkCalled(0, Branch: null), At);

        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Unavailable, CallSide.Pbx))], step.Outputs);
    }

    [Fact]
    public void A_trunks_challenge_is_answered_once_with_its_credentials_and_a_second_challenge_ends_the_branch()
    {
        var core = NewCore();
        core.Handle(new CallInput.RingTrunks(1, RingFor), At);
        core.Handle(new CallInput.TrunkCalled(0, Branch: 0), At);
        core.Handle(Response(0, 100), At);
        var challenge = Response(0, 401);

        Assert.Equal<CallOutput>([new CallOutput.ReadTrunkCredentials(0, challenge.Response)], core.Handle(challenge, At).Outputs);
        var retry = core.Handle(new CallInput.TrunkCredentials(0, Authorization), At);
        Assert.Equal<CallOutput>([new CallOutput.RetryWithCredentials(0, Authorization)], retry.Outputs);

        // The retry is a new transaction: the trunk's silence is timed again.
        Assert.Equal(At + Options.TrunkResponseTimeout, retry.NextDeadline);

        var again = core.Handle(Response(0, 407), At);
        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Unavailable, CallSide.Callee))], again.Outputs);
    }

    [Fact]
    public void A_challenge_without_a_password_to_answer_it_or_from_a_phone_fails_the_branch()
    {
        var trunk = NewCore();
        trunk.Handle(new CallInput.RingTrunks(1, RingFor), At);
        trunk.Handle(new CallInput.TrunkCalled(0, Branch: 0), At);
        trunk.Handle(Response(0, 407), At);
        Assert.Equal<CallOutput>(
            [new CallOutput.End(new CallEnd(CallEndReason.Unavailable, CallSide.Callee))],
            trunk.Handle(new CallInput.TrunkCredentials(0, null), At).Outputs);

        var phone = Ringing(0);
        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Unavailable, CallSide.Callee))], phone.Handle(Response(0, 401), At).Outputs);
    }

    [Fact]
    public void A_transfer_rings_for_a_caller_the_ivr_answered_without_telling_it_again_and_its_bye_ends_the_call()
    {
        var core = TransferredByTheIvr();
        core.Deadlines.Set(CallDeadline.ServiceLimit, TimeSpan.FromHours(1));
        core.Handle(new CallInput.Ring([0, 1], RingFor), At);

        Assert.Empty(core.Handle(Response(0, 180), At).Outputs);
        Assert.Empty(core.Handle(CallInput.CallerCancel, At).Outputs);
        core.Handle(Response(0, 200), At);
        var live = core.Handle(new CallInput.AnswerApplied(0, Usable: true), At);

        Assert.Equal<CallOutput>([new CallOutput.ReleaseBranch(1, BranchRelease.Cancel), new CallOutput.ReleaseOffers()], live.Outputs);
        // The service's hour no longer applies to a person's call; the maximum duration does.
        Assert.False(core.Deadlines.IsSet(CallDeadline.ServiceLimit));
        Assert.Equal(At + Options.MaxCallDuration, live.NextDeadline);

        var ringingAgain = TransferredByTheIvr();
        ringingAgain.Handle(new CallInput.Ring([0], RingFor), At);
        var bye = ringingAgain.Handle(new CallInput.Request(CallSide.Caller, CallCoreTests.Request("BYE"), InDialog: true, null, CallPeers.None), At);
        Assert.Equal<CallOutput>(
            [new CallOutput.Respond(200), new CallOutput.TerminateDialog(CallSide.Caller), new CallOutput.End(new CallEnd(CallEndReason.Hangup, CallSide.Caller))],
            bye.Outputs);
    }

    [Fact]
    public void A_ring_timeout_due_with_a_later_service_limit_ends_the_call_as_no_answer_and_nothing_after_it()
    {
        var core = TransferredByTheIvr();
        core.Handle(new CallInput.Ring([0], TimeSpan.FromSeconds(28)), At);
        core.Deadlines.Set(CallDeadline.ServiceLimit, TimeSpan.FromSeconds(31));

        var step = core.Handle(CallInput.Wake, TimeSpan.FromSeconds(40));

        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.NoAnswer, CallSide.Pbx))], step.Outputs);
    }

    /// <summary>A caller the demo IVR answered and that chose 1: the call is in Transfer, to 100.</summary>
    internal static CallCore TransferredByTheIvr()
    {
        var core = NewCore();
        core.Handle(new CallInput.StartIvr(IvrConfiguration.Demo.NewSession()), At);
        core.Handle(CallInput.PromptUnplayable, At);
        var chosen = core.Handle(new CallInput.Request(CallSide.Caller, CallCoreTests.Request("INFO", "application/dtmf", "1"), InDialog: true, null, CallPeers.None), At);
        Assert.Equal(new CallOutput.Transfer("100"), chosen.Outputs[^1]);
        Assert.Equal(CallState.Transfer, core.State);
        return core;
    }

    /// <summary>A final response of <paramref name="status"/> to a branch's INVITE.</summary>
    internal static SipResponse Refusal(int status) => Response(0, status).Response;

    internal static CallInput.BranchResponse Response(int branch, int status, string body = "")
    {
        var bytes = Encoding.UTF8.GetByteCount(body);
        var text =
            $"SIP/2.0 {status} Status\r\n" +
            "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-ring-1\r\n" +
            "From: <sip:1001@pbx.test>;tag=a\r\n" +
            "To: <sip:1002@pbx.test>" + (status > 100 ? ";tag=b" : "") + "\r\n" +
            "Call-ID: ringing-test\r\n" +
            "CSeq: 1 INVITE\r\n" +
            (status == 401 ? "WWW-Authenticate: Digest realm=\"carrier\", nonce=\"n1\"\r\n" : "") +
            (status == 407 ? "Proxy-Authenticate: Digest realm=\"carrier\", nonce=\"n2\"\r\n" : "") +
            (body.Length > 0 ? "Content-Type: application/sdp\r\n" : "") +
            $"Content-Length: {bytes}\r\n\r\n" + body;
        var parsed = SipParser.Parse(Encoding.UTF8.GetBytes(text).AsMemory());
        Assert.True(parsed.IsSuccess, parsed.Error.ToString());
        return new CallInput.BranchResponse(branch, (SipResponse)parsed.Message!);
    }
}
