namespace Switchboard.Pbx.Sessions;

/// <summary>Remembered web sessions (spec 2.4). Only a hash of each token is stored.</summary>
public interface ISessionStore
{
    Task CreateAsync(StoredSession session, CancellationToken ct = default);

    /// <summary>The session if it exists, is not revoked and has not expired at <paramref name="now"/>.</summary>
    Task<StoredSession?> FindActiveAsync(byte[] tokenHash, DateTimeOffset now, CancellationToken ct = default);

    Task RevokeAsync(byte[] tokenHash, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>Deletes sessions that expired or were revoked before <paramref name="before"/>; returns how many.</summary>
    Task<int> PurgeAsync(DateTimeOffset before, CancellationToken ct = default);
}
