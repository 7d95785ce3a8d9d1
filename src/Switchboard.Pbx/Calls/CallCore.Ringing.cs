using System.Text;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Calls;

/// <summary>The inputs of the Ringing state. A branch is named by the number the loop gave it when it sent its INVITE.</summary>
internal abstract partial record CallInput
{
    /// <summary>The calling phone sent CANCEL: its hang-up while nobody answered it (RFC 3261 section 9.2), nothing after.</summary>
    public static readonly CallInput CallerCancel = new CallerCancelInput();

    public sealed record CallerCancelInput : CallInput;

    /// <summary>
    /// The loop sent INVITEs to <paramref name="Branches"/> (an extension's contacts, a ring group's members' contacts):
    /// they ring for at most <paramref name="Timeout"/>; when nobody takes the call the caller goes to
    /// <paramref name="Fallback"/> (a ring group's), if any. No branch at all is a ring group nobody could be rung in.
    /// </summary>
    public sealed record Ring(IReadOnlyList<int> Branches, TimeSpan Timeout, string? Fallback = null) : CallInput;

    /// <summary>The call goes out through <paramref name="Count"/> trunks in failover order (docs/trunks.md), ringing at most <paramref name="Timeout"/>.</summary>
    public sealed record RingTrunks(int Count, TimeSpan Timeout) : CallInput;

    /// <summary>The answer to <see cref="CallOutput.CallTrunk"/>: the INVITE went out as <paramref name="Branch"/>, or (null) that trunk cannot be reached.</summary>
    public sealed record TrunkCalled(int Index, int? Branch) : CallInput;

    /// <summary>A response to a branch's INVITE.</summary>
    public sealed record BranchResponse(int Branch, SipResponse Response) : CallInput;

    /// <summary>The answer to <see cref="CallOutput.ApplyAnswer"/>: whether the branch's SDP answer could be used by its media end.</summary>
    public sealed record AnswerApplied(int Branch, bool Usable) : CallInput;

    /// <summary>The answer to <see cref="CallOutput.ReadTrunkCredentials"/>: the Authorization header, or null when the trunk has no password.</summary>
    public sealed record TrunkCredentials(int Branch, (string Name, string Value)? Authorization) : CallInput;

    /// <summary>A request from a branch that is not the answered one (inside an early dialog: rare, an UPDATE or INFO).</summary>
    public sealed record BranchRequest(int Branch, SipRequest Message) : CallInput;
}

/// <summary>The outputs of the Ringing state.</summary>
internal abstract partial record CallOutput
{
    /// <summary>Tell the caller its call rings (the page's <c>ringing</c>, a phone's 180).</summary>
    public sealed record TellCallerRinging : CallOutput;

    /// <summary>The caller is answered now: tell it (the page's <c>connected</c>, a phone's 200) and keep the time.</summary>
    public sealed record AnswerCaller : CallOutput;

    /// <summary>Send the INVITE to the trunk at <paramref name="Index"/> of the failover order; answer with <see cref="CallInput.TrunkCalled"/>.</summary>
    public sealed record CallTrunk(int Index) : CallOutput;

    /// <summary>ACK the branch's 2xx; its dialog starts (RFC 3261 section 13.2.2.4).</summary>
    public sealed record Acknowledge(int Branch, SipResponse Ok) : CallOutput;

    /// <summary>Apply the branch's SDP answer to the offer it got and bridge it to the caller; answer with <see cref="CallInput.AnswerApplied"/>.</summary>
    public sealed record ApplyAnswer(int Branch, string Sdp) : CallOutput;

    /// <summary>Let the branch go: CANCEL, BYE or forget its dialog (<see cref="BranchRelease"/>).</summary>
    public sealed record ReleaseBranch(int Branch, BranchRelease How) : CallOutput;

    /// <summary>Close the media offers no branch took.</summary>
    public sealed record ReleaseOffers : CallOutput;

    /// <summary>Read the trunk's password (store work, off the shard) and answer the branch's challenge; answer with <see cref="CallInput.TrunkCredentials"/>.</summary>
    public sealed record ReadTrunkCredentials(int Branch, SipResponse Challenge) : CallOutput;

    /// <summary>Send the branch's INVITE again with these credentials, a new CSeq and Via branch (RFC 3261 section 22.2).</summary>
    public sealed record RetryWithCredentials(int Branch, (string Name, string Value) Authorization) : CallOutput;
}

/// <summary>
/// The Ringing state: the branches rung for the caller, B2BUA forking in the manner of RFC 3261 section 16.7. The
/// first usable 2xx wins and the others get CANCEL (section 9.1); a branch that fails is out; when every branch has
/// failed, or the ring timeout comes, nobody answered: a ring group moves on to its fallback after letting every
/// member go, anything else ends. A trunk's branch fails over to the next trunk on 5xx, 408 or silence, and answers
/// a 401/407 once with the trunk's account (section 22.2); a second challenge ends that branch.
/// </summary>
internal sealed partial class CallCore
{
    private readonly Dictionary<int, RingingBranch> _branches = [];
    private string? _fallback;
    private int _trunkCount;
    private int _nextTrunk;
    private int? _trunkBranch;
    private bool _callerAnswered;
    private bool _ringingTold;

    /// <summary>The branch that answered, once one has: the callee of the Live call.</summary>
    public int? Winner { get; private set; }

    /// <summary>How each branch still held is let go when the call ends this way (the winner gets BYE, ringing ones CANCEL).</summary>
    public IReadOnlyList<(int Branch, BranchRelease How)> Releases(CallEnd end)
    {
        var releases = new List<(int, BranchRelease)>();
        foreach (var (id, branch) in _branches)
        {
            // A transferor whose transfer is still under way is answered too: it gets BYE like the callee; so does a
            // transferee in the caller's place (CallCore.TransferByCaller.cs), unless it hung up itself.
            var how = id == CallerBranch
                ? ReleaseInCallersPlace(end)
                : CallRules.Release(branch.State, id == Winner || id == Transferor && _referral is { Gone: false }, end);
            if (how == BranchRelease.Cancel)
            {
                branch.State = BranchState.Abandoned;
            }

            if (how != BranchRelease.None)
            {
                releases.Add((id, how));
            }
        }

        return releases;
    }

    /// <summary>The Ringing state's inputs; false for any other input.</summary>
    private bool HandleRinging(CallInput input, TimeSpan now)
    {
        switch (input)
        {
            case CallInput.CallerCancelInput:
                // A CANCEL after the caller was answered (by the IVR) has nothing left to cancel.
                if (!_callerAnswered && State is CallState.Routing or CallState.Ringing)
                {
                    End(CallEndReason.Hangup, CallSide.Caller);
                }

                return true;
            case CallInput.Ring ring:
                StartRinging(ring, now);
                return true;
            case CallInput.RingTrunks trunks:
                MoveTo(CallState.Ringing);
                Deadlines.Set(CallDeadline.Ring, now + trunks.Timeout);
                _trunkCount = trunks.Count;
                _nextTrunk = 0;
                if (!CallNextTrunk())
                {
                    End(CallEndReason.Unavailable, CallSide.Pbx);
                }

                return true;
            case CallInput.TrunkCalled called:
                OnTrunkCalled(called, now);
                return true;
            case CallInput.BranchResponse response:
                OnBranchResponse(response.Branch, response.Response);
                return true;
            case CallInput.AnswerApplied applied:
                OnAnswerApplied(applied.Branch, applied.Usable, now);
                return true;
            case CallInput.TrunkCredentials credentials:
                OnTrunkCredentials(credentials, now);
                return true;
            case CallInput.BranchRequest request:
                // Inside a branch's early dialog nothing changes before its answer: a BYE there has no dialog to end
                // (a UAS sends none before its 2xx, RFC 3261 section 15), an INFO is taken and dropped, a REFER has no
                // answered call to transfer (RFC 3515 section 2.4.2), and any other method is one we do not implement,
                // so 405 with Allow (section 8.2.1): a 200 would tell the callee that, say, its UPDATE was applied.
                if (State == CallState.Ringing)
                {
                    _outputs.Add(new CallOutput.Respond(request.Message.Method.Name switch
                    {
                        "BYE" => 481,
                        "INFO" => 200,
                        "REFER" => 403,
                        _ => 405,
                    }));
                }

                return true;
            default:
                return false;
        }
    }

    private void StartRinging(CallInput.Ring ring, TimeSpan now)
    {
        if (State == CallState.Queued)
        {
            StartRingingAgents(ring, now);
            return;
        }

        _fallback = ring.Fallback;
        if (ring.Branches.Count == 0)
        {
            // A ring group none of whose members could be rung: straight to its fallback, or unavailable.
            NobodyAnswered(new CallEnd(CallEndReason.Unavailable, CallSide.Pbx));
            return;
        }

        MoveTo(CallState.Ringing);
        Deadlines.Set(CallDeadline.Ring, now + ring.Timeout);
        foreach (var id in ring.Branches)
        {
            _branches[id] = new RingingBranch(trunk: false);
        }
    }

    /// <summary>Asks for the next trunk in the failover order; false when none is left.</summary>
    private bool CallNextTrunk()
    {
        if (_nextTrunk >= _trunkCount)
        {
            return false;
        }

        _outputs.Add(new CallOutput.CallTrunk(_nextTrunk++));
        return true;
    }

    private void OnTrunkCalled(CallInput.TrunkCalled called, TimeSpan now)
    {
        if (State != CallState.Ringing || Winner is not null)
        {
            return;
        }

        if (called.Branch is not { } id)
        {
            // No flow to it, or no media offer: the next trunk, as if it had failed.
            if (!CallNextTrunk())
            {
                NobodyAnsweredIfAllFailed();
            }

            return;
        }

        _branches[id] = new RingingBranch(trunk: true);
        _trunkBranch = id;
        Deadlines.Set(CallDeadline.TrunkResponse, now + _options.TrunkResponseTimeout);
    }

    private void OnBranchResponse(int id, SipResponse response)
    {
        if (State != CallState.Ringing || Winner is not null || !_branches.TryGetValue(id, out var branch) ||
            branch.State is BranchState.Failed or BranchState.Abandoned)
        {
            return;
        }

        if (response.IsProvisional)
        {
            // Any provisional answer, even 100 Trying, shows the INVITE arrived: it may now be cancelled (section 9.1).
            if (branch.State == BranchState.Calling)
            {
                branch.State = BranchState.Proceeding;
            }

            if (response.StatusCode is 180 or 183)
            {
                branch.State = BranchState.Ringing;
                if (!_ringingTold && !_callerAnswered)
                {
                    _ringingTold = true;
                    _outputs.Add(new CallOutput.TellCallerRinging());
                }
            }

            return;
        }

        if (response.IsSuccess)
        {
            // Section 13.2.2.4: every 2xx is ACKed, even one whose answer we then cannot use.
            _outputs.Add(new CallOutput.Acknowledge(id, response));
            _outputs.Add(new CallOutput.ApplyAnswer(id, Encoding.UTF8.GetString(response.Body.Span)));
            return;
        }

        if (response.StatusCode is 401 or 407 && branch.Trunk && !branch.CredentialsSent)
        {
            branch.CredentialsSent = true;
            _outputs.Add(new CallOutput.ReadTrunkCredentials(id, response));
            return;
        }

        Fail(branch, response.StatusCode);

        // A carrier that fails (5xx) or does not answer (408, also our own timeout) hands the call to the next trunk.
        if (branch.Trunk && response.StatusCode is >= 500 or 408 && CallNextTrunk())
        {
            return;
        }

        NobodyAnsweredIfAllFailed();
    }

    /// <summary>The 2xx's answer applied: this branch wins, or (unusable) it is ended with BYE and counts as failed with 488.</summary>
    private void OnAnswerApplied(int id, bool usable, TimeSpan now)
    {
        if (State != CallState.Ringing || Winner is not null || !_branches.TryGetValue(id, out var branch))
        {
            return;
        }

        if (!usable)
        {
            // RFC 3261 section 13.2.2.4: an answer we cannot use ends that dialog with BYE.
            _outputs.Add(new CallOutput.ReleaseBranch(id, BranchRelease.Bye));
            branch.State = BranchState.Failed;
            branch.FinalStatus = 488;
            NobodyAnsweredIfAllFailed();
            return;
        }

        Winner = id;
        branch.State = BranchState.Answered;
        foreach (var (otherId, other) in _branches)
        {
            if (otherId != id && other.State is BranchState.Calling or BranchState.Proceeding or BranchState.Ringing)
            {
                // Section 16.7's forking, done by a B2BUA: the first 2xx wins, the others are cancelled.
                _outputs.Add(new CallOutput.ReleaseBranch(otherId, BranchRelease.Cancel));
                other.State = BranchState.Abandoned;
            }
        }

        // A transfer's target answered: the transferor is told and let go (CallCore.Transfer.cs).
        TransferAnswered();

        // The offers the other branches got (and a transferor's media) are nobody's now.
        _outputs.Add(new CallOutput.ReleaseOffers());
        if (!_callerAnswered)
        {
            // After an IVR transfer the caller is connected already (to the menu).
            _callerAnswered = true;
            _outputs.Add(new CallOutput.AnswerCaller());
        }

        // Connected until someone ends it: the ringing's timers and a service's own limit (the IVR's hour) give way to
        // the maximum call duration.
        Deadlines.Clear(CallDeadline.Ring);
        Deadlines.Clear(CallDeadline.TrunkResponse);
        Deadlines.Clear(CallDeadline.ServiceLimit);
        _fallback = null;
        if (_agentsRinging)
        {
            // A queue's agent took the caller: the hold music gives way to the agent, and the queue is told who.
            _agentsRinging = false;
            _outputs.Add(new CallOutput.StopPrompt());
            _outputs.Add(new CallOutput.QueueAnswered(id));
        }

        MoveTo(CallState.Live);

        // The cap counts from the caller's first answer: a transfer's target (or an agent after an IVR that already
        // answered) starts no new one, so a token's maxDuration cannot be stretched by being put through again.
        if (!Deadlines.IsSet(CallDeadline.MaxDuration))
        {
            Deadlines.Set(CallDeadline.MaxDuration, now + _options.MaxCallDuration);
        }
    }

    private void OnTrunkCredentials(CallInput.TrunkCredentials credentials, TimeSpan now)
    {
        if (State != CallState.Ringing || Winner is not null || !_branches.TryGetValue(credentials.Branch, out var branch) ||
            branch.State is BranchState.Failed or BranchState.Abandoned)
        {
            return;
        }

        if (credentials.Authorization is not { } authorization)
        {
            // No password to answer with: the challenge stands as the carrier's refusal.
            Fail(branch, 401);
            NobodyAnsweredIfAllFailed();
            return;
        }

        // The retry is a new INVITE transaction: nothing provisional seen yet, and the trunk's silence is timed again.
        branch.State = BranchState.Calling;
        _outputs.Add(new CallOutput.RetryWithCredentials(credentials.Branch, authorization));
        if (credentials.Branch == _trunkBranch)
        {
            Deadlines.Set(CallDeadline.TrunkResponse, now + _options.TrunkResponseTimeout);
        }
    }

    private void OnRingTimeout()
    {
        if (State == CallState.Ringing)
        {
            NobodyAnswered(new CallEnd(CallEndReason.NoAnswer, CallSide.Pbx));
        }
    }

    /// <summary>The trunk said nothing at all in time, not even 100 Trying: treat it as down (408) and fail over, or give up.</summary>
    private void OnTrunkSilent()
    {
        if (State != CallState.Ringing || Winner is not null || _trunkBranch is not { } id ||
            !_branches.TryGetValue(id, out var branch) || branch.State != BranchState.Calling)
        {
            return;
        }

        _outputs.Add(new CallOutput.ReleaseBranch(id, BranchRelease.Cancel));
        Fail(branch, 408);
        if (!CallNextTrunk())
        {
            NobodyAnsweredIfAllFailed();
        }
    }

    private void Fail(RingingBranch branch, int status)
    {
        branch.State = BranchState.Failed;
        branch.FinalStatus = status;
        CallEngine.LogBranchFailed(log, callId, status);
    }

    /// <summary>When no branch is left that could still answer, nobody answered, for the reason their refusals give.</summary>
    private void NobodyAnsweredIfAllFailed()
    {
        if (_branches.Count == 0)
        {
            // Not one trunk could be reached.
            End(CallEndReason.Unavailable, CallSide.Pbx);
        }
        else if (_branches.Where(b => b.Key != Transferor && b.Key != CallerBranch).Select(b => b.Value).ToList() is var rung &&
                 rung.All(b => b.State == BranchState.Failed))
        {
            // A transferor (answered, waiting for its REFER's target) is not one of the branches rung, nor a transferee in the caller's place.
            NobodyAnswered(new CallEnd(CallRules.ReasonForFailures([.. rung.Select(b => b.FinalStatus)]), CallSide.Callee));
        }
    }

    /// <summary>
    /// The ringing ended without an answer: a ring group with a fallback moves on to it after letting every member's
    /// leg go (dialog binding and media offer), anything else ends the call with <paramref name="end"/>.
    /// </summary>
    private void NobodyAnswered(CallEnd end)
    {
        if (_agentsRinging)
        {
            AgentsMissed();
            return;
        }

        if (TransferFailed(end))
        {
            return;
        }

        if (_fallback is not { } fallback || !CallRules.FallsBack(end.Reason))
        {
            End(end.Reason, end.By);
            return;
        }

        foreach (var (id, branch) in _branches)
        {
            if (CallRules.Release(branch.State, isWinner: false, end: null) is var how && how != BranchRelease.None)
            {
                _outputs.Add(new CallOutput.ReleaseBranch(id, how));
            }
        }

        _branches.Clear();
        _trunkBranch = null;
        _fallback = null;
        _outputs.Add(new CallOutput.ReleaseOffers());
        Deadlines.Clear(CallDeadline.Ring);
        Deadlines.Clear(CallDeadline.TrunkResponse);
        TransferTo(fallback);
    }

    /// <summary>What the core knows of one branch: where its INVITE is, and how it failed.</summary>
    private sealed class RingingBranch(bool trunk)
    {
        public bool Trunk { get; } = trunk;

        public BranchState State { get; set; } = BranchState.Calling;

        public int FinalStatus { get; set; }

        /// <summary>Its 401/407 was answered once already: a second challenge ends it.</summary>
        public bool CredentialsSent { get; set; }
    }
}
