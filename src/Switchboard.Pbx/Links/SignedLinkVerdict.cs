namespace Switchboard.Pbx.Links;

/// <summary>The outcome of a signed-link check; each failure has its own message in the popup (spec 2.9).</summary>
public enum SignedLinkVerdict
{
    Valid,

    /// <summary>A parameter is missing or not a number.</summary>
    Malformed,

    /// <summary>The hash does not match, or the account is unknown (indistinguishable on purpose).</summary>
    Forged,

    /// <summary><c>now &gt;= time + duration</c>.</summary>
    Expired,

    /// <summary><c>now &lt; time - skew</c>.</summary>
    NotYetValid,

    /// <summary>The link claims a longer validity than the PBX allows (spec 2.2: refused, not shortened).</summary>
    DurationTooLong,
}
