namespace Switchboard.Pbx.Tokens;

/// <summary>What a website's backend asks for in <c>POST /api/tokens</c> (docs/tokens.md).</summary>
/// <param name="Ttl">How long the token may wait for its call; null for the cap.</param>
/// <param name="Label">Kept in the call's record (e.g. an order or visitor reference).</param>
/// <param name="MaxDuration">The longest the call may last once answered; null for the PBX's cap.</param>
public sealed record MintRequest(string? Destination, TimeSpan? Ttl, string? Label, TimeSpan? MaxDuration);
