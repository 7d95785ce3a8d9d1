namespace Switchboard.Pbx.Calls;

/// <summary>Where a call is in its life. The call's loop reads its inputs according to this, and only <see cref="CallStates.CanMove"/> says how it changes.</summary>
internal enum CallState
{
    /// <summary>The destination is being resolved (dial plan, policy) and the caller's media set up.</summary>
    Routing,

    /// <summary>Branches (registered contacts, a trunk, a ring group's members) are being called; nobody answered yet.</summary>
    Ringing,

    /// <summary>Answered: a branch, or a built-in service, and the caller are connected.</summary>
    Live,

    /// <summary>The caller is answered by the IVR, which plays prompts and takes digits.</summary>
    Ivr,

    /// <summary>The caller is answered by a queue (docs/queues.md): it hears hold music and announcements until an agent is rung.</summary>
    Queued,

    /// <summary>The IVR, a ring group's or a queue's fallback, or a party's REFER resolves a new destination for the other party.</summary>
    Transfer,

    /// <summary>The end is decided: legs are being let go (CANCEL, BYE, media closed) and the record written.</summary>
    Ending,

    /// <summary>Over; the record is written and the engine has forgotten the call.</summary>
    Ended,
}

internal static class CallStates
{
    /// <summary>
    /// Every transition a call may make; anything else is a bug in the engine (the call then ends as an error).
    /// Every state but <see cref="CallState.Ended"/> may move to <see cref="CallState.Ending"/>: a hang-up, a shutdown
    /// or a failure can come at any time.
    /// </summary>
    public static bool CanMove(CallState from, CallState to) => (from, to) switch
    {
        (CallState.Ended, _) => false,
        (CallState.Ending, CallState.Ended) => true,
        (CallState.Ending, _) => false,
        (_, CallState.Ending) => true,

        // A destination that rings (extension, trunk, ring group), or a service that answers at once; a ring group
        // with no member to ring goes straight to its fallback.
        (CallState.Routing, CallState.Ringing or CallState.Live or CallState.Ivr or CallState.Queued or CallState.Transfer) => true,

        // A queue offers its caller to agents (Ringing); nobody answered, so the caller waits on; its maximum wait
        // sends it to the queue's fallback.
        (CallState.Queued, CallState.Ringing or CallState.Transfer) => true,
        (CallState.Ringing, CallState.Queued) => true,

        // The first 2xx wins; the other branches get CANCEL (RFC 3261 sections 16.7 and 9.1), or ACK and BYE when their
        // 2xx crossed it (section 15). A ring group nobody answered moves on to its fallback.
        (CallState.Ringing, CallState.Live or CallState.Transfer) => true,

        // The menu chose a destination.
        (CallState.Ivr, CallState.Transfer) => true,

        // A party asked for a blind transfer (REFER) to a target it may call (when it fails, Ringing goes back to Live).
        (CallState.Live, CallState.Transfer) => true,

        // The new destination rings, or answers at once (the echo test).
        (CallState.Transfer, CallState.Ringing or CallState.Live or CallState.Queued or CallState.Ivr) => true,
        _ => false,
    };
}
