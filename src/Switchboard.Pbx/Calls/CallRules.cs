namespace Switchboard.Pbx.Calls;

/// <summary>What to do with a callee branch's SIP leg when the call lets it go.</summary>
internal enum BranchRelease
{
    /// <summary>Nothing: it was cancelled already and unbinds itself at its final answer.</summary>
    None,

    /// <summary>The answered branch: BYE (RFC 3261 section 15.1.1), then unbind.</summary>
    Bye,

    /// <summary>Still ringing: CANCEL once a provisional answer showed the INVITE arrived (section 9.1); it unbinds itself at its final answer.</summary>
    Cancel,

    /// <summary>Refused, or hung up by the phone: nothing more can come for the dialog, so unbind it now.</summary>
    Forget,
}

/// <summary>
/// The call's decisions that need no SIP, media or clock: plain functions of what the call knows, so they are
/// tested alone and will be the first pieces of its synchronous core (architecture, "Call shards").
/// </summary>
internal static class CallRules
{
    /// <summary>How a branch is let go when the call ends (<paramref name="end"/>) or moves on without it (null).</summary>
    public static BranchRelease Release(BranchState state, bool isWinner, CallEnd? end)
    {
        // A callee that hung up has ended its dialog with its own BYE; one whose media timed out never said BYE, so it
        // gets one, like a callee the caller hung up on.
        if (isWinner && end is not { By: CallSide.Callee, Reason: not CallEndReason.MediaTimeout })
        {
            return BranchRelease.Bye;
        }

        return state switch
        {
            BranchState.Calling or BranchState.Proceeding or BranchState.Ringing => BranchRelease.Cancel,
            BranchState.Abandoned => BranchRelease.None,
            _ => BranchRelease.Forget,
        };
    }

    /// <summary>Why nobody answered, from the branches' final statuses: busy beats declined beats no answer (RFC 3261 section 16.7 picks one too).</summary>
    public static CallEndReason ReasonForFailures(IReadOnlyCollection<int> finalStatuses)
    {
        bool Any(params int[] codes) => finalStatuses.Any(codes.Contains);
        return Any(486, 600) ? CallEndReason.Busy
            : Any(603, 403) ? CallEndReason.Declined
            : Any(480, 487) ? CallEndReason.NoAnswer
            : CallEndReason.Unavailable;
    }

    /// <summary>Whether a ring group that ended this way moves on to its fallback: nobody took the call, and nobody hung up.</summary>
    public static bool FallsBack(CallEndReason reason) =>
        reason is CallEndReason.NoAnswer or CallEndReason.Busy or CallEndReason.Unavailable or CallEndReason.Declined;

    /// <summary>
    /// The reason the calling side is told. The page and a calling phone know no media timeout: to them the other side
    /// is gone, as after a BYE; the record keeps the real reason.
    /// </summary>
    public static CallEndReason ForCaller(CallEndReason reason) =>
        reason == CallEndReason.MediaTimeout ? CallEndReason.RemoteHangup : reason;
}
