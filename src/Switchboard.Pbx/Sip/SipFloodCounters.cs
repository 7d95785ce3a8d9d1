namespace Switchboard.Pbx.Sip;

/// <summary>What the SIP flood guard has done: requests admitted and dropped, how many times a source got blocked, and its table.</summary>
public readonly record struct SipFloodCounters(long Admitted, long Blocked, long BlockedSources, int TrackedSources, long Untracked);
