namespace Switchboard.Pbx.Calls;

/// <summary>The input of the Ending state.</summary>
internal abstract partial record CallInput
{
    /// <summary>
    /// The call ends as <paramref name="End"/> says (an End output, or a failure of the loop).
    /// <paramref name="CallerHungUpFirst"/>: the caller's hang-up was already waiting in the mailbox behind the input that ended it.
    /// </summary>
    public sealed record Ending(CallEnd End, bool CallerHungUpFirst) : CallInput;
}

/// <summary>The outputs of the Ending state.</summary>
internal abstract partial record CallOutput
{
    /// <summary>Close every media end the call still owns (<see cref="CallMedia"/>), each once.</summary>
    public sealed record CloseMedia : CallOutput;

    /// <summary>Write the call's record (queued for the record writer; the shard never waits for the disk), ended as <paramref name="As"/> says.</summary>
    public sealed record WriteRecord(CallEnd As) : CallOutput;

    /// <summary>Tell the calling side the call ended, for <paramref name="Reason"/> (the page's <c>ended</c>, a phone's final answer or BYE).</summary>
    public sealed record TellCallerEnded(CallEndReason Reason) : CallOutput;
}

/// <summary>
/// The Ending state: how the call ends once its end is decided. Every branch still held is let go (BYE to the
/// answered one, RFC 3261 section 15.1.1; CANCEL to those still ringing, section 9.1; the others forgotten), every
/// media end closed, the record written, and the caller told, in that order.
/// </summary>
internal sealed partial class CallCore
{
    private void OnEnding(CallInput.Ending ending)
    {
        var end = ending.End;
        if (end.By == CallSide.Pbx && ending.CallerHungUpFirst && !_callerAnswered && State is CallState.Routing or CallState.Ringing)
        {
            // The PBX gave up (no contact, a failure) while the caller's own hang-up was already on its way: the caller
            // left first, and the record says so.
            end = new CallEnd(CallEndReason.Hangup, CallSide.Caller);
        }

        MoveTo(CallState.Ending);
        _ivr = null;
        foreach (var (id, how) in Releases(end))
        {
            _outputs.Add(new CallOutput.ReleaseBranch(id, how));
        }

        _outputs.Add(new CallOutput.CloseMedia());
        _outputs.Add(new CallOutput.WriteRecord(end));

        // The page and a calling phone know no media timeout: to them the other side is gone, as after a BYE.
        _outputs.Add(new CallOutput.TellCallerEnded(EndForCallingLeg(end)));
        _ended = true;
    }
}
