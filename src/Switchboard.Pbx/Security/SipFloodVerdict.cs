namespace Switchboard.Pbx.Security;

/// <summary>What the flood guard says about one request.</summary>
public enum SipFloodVerdict
{
    Admit,

    /// <summary>The source is blocked: drop the request unanswered (answering a flood would amplify it).</summary>
    Drop,

    /// <summary>This request took the source over its rate: drop it, and say once that the source is now blocked.</summary>
    BlockStarted,
}

/// <summary>A source the guard stopped blocking, for the one log line that says so.</summary>
public readonly record struct SipFloodRelease(SipFloodSource Source, long Dropped, TimeSpan BlockedFor);
