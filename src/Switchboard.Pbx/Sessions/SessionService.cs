using System.Security.Cryptography;
using System.Text;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;

namespace Switchboard.Pbx.Sessions;

/// <summary>
/// Issues and resolves remembered sessions. The cookie carries 256 random bits; the store keeps their
/// SHA-256, so a leaked database holds no usable cookie.
/// </summary>
public sealed class SessionService
{
    private readonly ISessionStore _store;
    private readonly IDirectoryStore _directory;
    private readonly SecurityOptions _options;
    private readonly TimeProvider _time;

    public SessionService(ISessionStore store, IDirectoryStore directory, SecurityOptions options, TimeProvider time)
    {
        _store = store;
        _directory = directory;
        _options = options;
        _time = time;
    }

    public TimeSpan Lifetime => _options.SessionLifetime;

    /// <returns>The token to put in the cookie.</returns>
    public async Task<string> CreateAsync(Extension extension, string language, CancellationToken ct = default)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = _time.GetUtcNow();
        await _store.CreateAsync(new StoredSession(Hash(token), extension.Id, language, now, now + _options.SessionLifetime), ct);
        return token;
    }

    public async Task<(Extension Extension, string Language)?> ResolveAsync(string? token, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 128)
        {
            return null;
        }

        var session = await _store.FindActiveAsync(Hash(token), _time.GetUtcNow(), ct);
        if (session is null)
        {
            return null;
        }

        var extension = await _directory.GetExtensionAsync(session.ExtensionId, ct);
        return extension is null ? null : (extension, session.Language);
    }

    public Task RevokeAsync(string token, CancellationToken ct = default) =>
        _store.RevokeAsync(Hash(token), _time.GetUtcNow(), ct);

    internal static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));
}
