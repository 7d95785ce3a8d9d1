namespace Switchboard.Pbx.Tokens;

/// <summary>A key as the store finds it by its id: the hash to compare with, and the extension its calls run as.</summary>
public sealed record StoredApiKey(ApiKey Key, byte[] SecretHash, long CallerExtensionId);
