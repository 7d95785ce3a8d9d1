namespace Switchboard.Pbx.Tokens;

/// <summary>What a presented call token is worth; each failure has its own message in the popup (docs/tokens.md).</summary>
public enum TokenVerdict
{
    Valid,

    /// <summary>Never minted, malformed, or its key was revoked (indistinguishable on purpose).</summary>
    Invalid,

    /// <summary>A call was already placed with it.</summary>
    Used,

    Expired,

    /// <summary>The token was minted for another number than the one the page asks to call.</summary>
    OtherDestination,
}
