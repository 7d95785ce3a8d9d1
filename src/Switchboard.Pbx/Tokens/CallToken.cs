namespace Switchboard.Pbx.Tokens;

/// <summary>
/// A single-use right to call one destination, minted by a website's backend with an API key (docs/tokens.md). The
/// token itself is never stored: <see cref="TokenHash"/> is its SHA-256.
/// </summary>
/// <param name="MaxDuration">The longest the call may last once answered; null for the PBX's own cap.</param>
/// <param name="UsedAt">When a call started with it; a used token is refused.</param>
public sealed record CallToken(
    byte[] TokenHash,
    long ApiKeyId,
    long CallerExtensionId,
    string Destination,
    string? Label,
    TimeSpan? MaxDuration,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? UsedAt);
