namespace Switchboard.Pbx.Calls;

/// <summary>A side of a call: who ended it, or whose leg an event came from.</summary>
internal enum CallSide
{
    Caller,
    Callee,

    /// <summary>The PBX itself: a failure, a limit, a shutdown, a destination that does not exist.</summary>
    Pbx,
}

/// <summary>How a call ended: why, and by which side.</summary>
internal readonly record struct CallEnd(CallEndReason Reason, CallSide By);

internal static class CallSideCodes
{
    /// <summary>The record's <c>ended_by</c>: the strings storage, the API and docs/call-records.md have always used.</summary>
    public static string ToCode(this CallSide side) => side switch
    {
        CallSide.Caller => "caller",
        CallSide.Callee => "callee",
        _ => "pbx",
    };
}
