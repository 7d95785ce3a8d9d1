namespace Switchboard.Pbx.Sessions;

public sealed record StoredSession(byte[] TokenHash, long ExtensionId, string Language, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);
