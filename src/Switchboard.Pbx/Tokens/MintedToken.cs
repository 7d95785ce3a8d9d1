namespace Switchboard.Pbx.Tokens;

/// <summary>The outcome of minting: the token (shown once, never stored) and when it expires, or why there is none.</summary>
public sealed record MintedToken(string? Token, DateTimeOffset ExpiresAt, MintRefusal Refusal, string? Why = null);
