using Switchboard.Pbx.Queues;

namespace Switchboard.Pbx.Calls;

/// <summary>The inputs of the Queued state (docs/queues.md): the queue loop's decisions, posted to the call.</summary>
internal abstract partial record CallInput
{
    /// <summary>The caller now waits in the queue <paramref name="Name"/>, answered (by the PBX) already.</summary>
    public sealed record Queued(string Name) : CallInput;

    /// <summary>The queue says: tell the caller its place and the expected wait, in <paramref name="Language"/>.</summary>
    public sealed record QueueAnnounce(int Place, TimeSpan ExpectedWait, string Language) : CallInput;

    /// <summary>The queue's maximum wait is over: on to <paramref name="Destination"/> (null: hang up as unavailable).</summary>
    public sealed record QueueFallback(string? Destination) : CallInput;

    /// <summary>A star code's service answered (<c>*45</c>, <c>*46</c>): play <paramref name="Prompt"/>, then hang up.</summary>
    public sealed record AnnounceThenHangUp(string Prompt) : CallInput;
}

/// <summary>The outputs of the Queued state.</summary>
internal abstract partial record CallOutput
{
    /// <summary>
    /// Wait in the queue <paramref name="Name"/> of <paramref name="Domain"/> (the caller's when null; a transferor's
    /// when it resolved the queue): answer the caller (if it is not yet), join the queue; answer with <see cref="CallInput.Queued"/>.
    /// </summary>
    public sealed record JoinQueue(string Name, string? Domain = null) : CallOutput;

    /// <summary>Loop the queue's hold music on the caller's end.</summary>
    public sealed record PlayHoldMusic : CallOutput;

    /// <summary>Play the place-and-wait announcement on the caller's end; when it cannot, say so with <see cref="CallInput.PromptUnplayable"/>.</summary>
    public sealed record PlayAnnouncement(int Place, TimeSpan ExpectedWait, string Language) : CallOutput;

    /// <summary>The agents rung for the queue did not take the caller (their branches let go): the queue offers it on.</summary>
    public sealed record QueueMissed : CallOutput;

    /// <summary>The agent of branch <paramref name="Branch"/> answered the queued caller: tell the queue who.</summary>
    public sealed record QueueAnswered(int Branch) : CallOutput;

    /// <summary>The IVR answers the transferred caller again (a queue's fallback to the IVR's number).</summary>
    public sealed record RestartIvr : CallOutput;
}

/// <summary>
/// The Queued state: the answered caller hears hold music, interrupted by the queue's announcements (the music
/// starts again when one ends); the queue loop offers it to agents, whose phones ring as the call's branches (the
/// Ringing state, music going on) and, when nobody answers, it waits again. The maximum wait moves it to the queue's
/// fallback: a destination (Transfer) or a hang-up with a reason. The star codes' confirmation (<c>*45</c>, <c>*46</c>)
/// is here too: a prompt, then the PBX hangs up.
/// </summary>
internal sealed partial class CallCore
{
    /// <summary>The branches ringing now are a queue's agents (not an extension's or a ring group's).</summary>
    private bool _agentsRinging;

    /// <summary>An announcement plays instead of the music: when it ends, the music comes back.</summary>
    private bool _announcing;

    /// <summary>The prompt playing is a star code's confirmation: when it ends, the call does.</summary>
    private bool _hangUpAfterPrompt;

    /// <summary>The Queued state's inputs; false for any other input.</summary>
    private bool HandleQueue(CallInput input, TimeSpan now)
    {
        switch (input)
        {
            case CallInput.Queued when State is CallState.Routing or CallState.Transfer:
                // The PBX answered the caller for the queue: a transfer or CANCEL from now on finds it connected.
                _callerAnswered = true;
                MoveTo(CallState.Queued);
                _announcing = false;
                _outputs.Add(new CallOutput.PlayHoldMusic());
                return true;
            case CallInput.QueueAnnounce announce:
                if (State == CallState.Queued)
                {
                    _announcing = true;
                    _outputs.Add(new CallOutput.StopPrompt());
                    _outputs.Add(new CallOutput.PlayAnnouncement(announce.Place, announce.ExpectedWait, announce.Language));
                }

                return true;
            case CallInput.QueueFallback fallback:
                if (State == CallState.Queued)
                {
                    _announcing = false;
                    _outputs.Add(new CallOutput.StopPrompt());
                    GoTo(fallback.Destination ?? QueueDefinition.HangupPrefix + "unavailable");
                }

                return true;
            case CallInput.AnnounceThenHangUp announce:
                MoveTo(CallState.Live);
                _hangUpAfterPrompt = true;
                _outputs.Add(new CallOutput.PlayPrompt(announce.Prompt));
                return true;
            case CallInput.Queued:
                return true;
            default:
                return false;
        }
    }

    /// <summary>A prompt that does not loop ended (or could not play): the IVR's, a queue's announcement, or a star code's confirmation.</summary>
    private void OnPromptFinished(TimeSpan now)
    {
        if (_hangUpAfterPrompt)
        {
            _hangUpAfterPrompt = false;
            End(CallEndReason.RemoteHangup, CallSide.Callee);
        }
        else if (_announcing && State == CallState.Queued)
        {
            _announcing = false;
            _outputs.Add(new CallOutput.PlayHoldMusic());
        }
        else
        {
            _ivr?.PromptFinished(now);
        }
    }

    /// <summary>The queue's agents' phones ring for the caller, who keeps hearing the music; none at all is a miss at once.</summary>
    private void StartRingingAgents(CallInput.Ring ring, TimeSpan now)
    {
        if (ring.Branches.Count == 0)
        {
            _outputs.Add(new CallOutput.QueueMissed());
            return;
        }

        _agentsRinging = true;
        MoveTo(CallState.Ringing);
        Deadlines.Set(CallDeadline.Ring, now + ring.Timeout);
        foreach (var id in ring.Branches)
        {
            _branches[id] = new RingingBranch(trunk: false);
        }
    }

    /// <summary>Nobody of the agents rung took the caller: every branch let go, back to waiting (with music, which an announcement may have stopped).</summary>
    private void AgentsMissed()
    {
        _agentsRinging = false;
        foreach (var (id, branch) in _branches)
        {
            if (CallRules.Release(branch.State, isWinner: false, end: null) is var how && how != BranchRelease.None)
            {
                _outputs.Add(new CallOutput.ReleaseBranch(id, how));
            }
        }

        _branches.Clear();
        _outputs.Add(new CallOutput.ReleaseOffers());
        Deadlines.Clear(CallDeadline.Ring);
        MoveTo(CallState.Queued);
        _announcing = false;
        _outputs.Add(new CallOutput.StopPrompt());
        _outputs.Add(new CallOutput.PlayHoldMusic());
        _outputs.Add(new CallOutput.QueueMissed());
    }

    /// <summary>A fallback or transfer destination: <c>hangup:REASON</c> ends the call so, anything else is routed anew.</summary>
    private void GoTo(string destination)
    {
        if (destination.StartsWith(QueueDefinition.HangupPrefix, StringComparison.Ordinal))
        {
            End(destination[QueueDefinition.HangupPrefix.Length..] switch
            {
                "busy" => CallEndReason.Busy,
                "no_answer" => CallEndReason.NoAnswer,
                "declined" => CallEndReason.Declined,
                _ => CallEndReason.Unavailable,
            }, CallSide.Pbx);
            return;
        }

        TransferTo(destination);
    }
}
