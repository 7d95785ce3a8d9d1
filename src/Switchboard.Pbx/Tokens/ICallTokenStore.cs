namespace Switchboard.Pbx.Tokens;

/// <summary>Minted call tokens (docs/tokens.md), by the SHA-256 of the token.</summary>
public interface ICallTokenStore
{
    Task AddTokenAsync(CallToken token, CancellationToken ct = default);

    /// <summary>The token whatever its state (used, expired), or null if it was never minted.</summary>
    Task<CallToken?> FindTokenAsync(byte[] tokenHash, CancellationToken ct = default);

    /// <summary>
    /// Marks the token used if it is unused and unexpired at <paramref name="now"/>, in one statement, so two calls racing
    /// with the same token cannot both win.
    /// </summary>
    /// <returns>true for the one call that may go ahead.</returns>
    Task<bool> ConsumeTokenAsync(byte[] tokenHash, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>Deletes tokens that expired before <paramref name="before"/>; returns how many.</summary>
    Task<int> PurgeTokensAsync(DateTimeOffset before, CancellationToken ct = default);
}
