using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Security;

namespace Switchboard.Pbx.Tokens;

/// <summary>
/// API keys and the call tokens they mint (docs/tokens.md). A token is a single-use right to call one destination as
/// the key's caller extension, like a signed link of that extension (spec 2.3) but with nothing derived from a
/// password ever reaching a web page. "Use" is the start of the call, not the page load: a page that reloads before
/// its call starts can still use its token; once a call started with it, the token is refused with its own message.
/// </summary>
public sealed class CallTokenService
{
    public const int MaxLabelLength = 100;

    /// <summary>How long a token's row outlives its expiry (for support questions) before a later mint deletes it.</summary>
    public static readonly TimeSpan ExpiredTokensKept = TimeSpan.FromDays(1);

    private readonly IApiKeyStore _keys;
    private readonly ICallTokenStore _tokens;
    private readonly IDirectoryStore _directory;
    private readonly DialPlan _dialPlan;
    private readonly SecurityOptions _options;
    private readonly CallOptions _calls;
    private readonly TimeProvider _time;

    public CallTokenService(IApiKeyStore keys, ICallTokenStore tokens, IDirectoryStore directory, DialPlan dialPlan, SecurityOptions options,
        CallOptions calls, TimeProvider time)
    {
        _keys = keys;
        _tokens = tokens;
        _directory = directory;
        _dialPlan = dialPlan;
        _options = options;
        _calls = calls;
        _time = time;
    }

    /// <summary>Reads <c>Authorization: Bearer &lt;key&gt;</c> (RFC 6750 section 2.1); null for a missing, malformed, unknown, wrong or revoked key.</summary>
    public async Task<StoredApiKey?> AuthenticateAsync(string? authorization, CancellationToken ct = default)
    {
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var key = authorization[Scheme.Length..].Trim();
        if (!ApiKeySecret.TryParse(key, out var keyId))
        {
            return null;
        }

        var stored = await _keys.FindActiveKeyAsync(keyId, ct);

        // An unknown id still costs one hash and one comparison, so its answer takes as long as a wrong secret's.
        var matches = ApiKeySecret.Matches(key, stored?.SecretHash ?? new byte[32]);
        return matches && stored is not null ? stored : null;
    }

    public async Task<MintedToken> MintAsync(StoredApiKey key, MintRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(request);
        var now = _time.GetUtcNow();
        var ttl = request.Ttl ?? _options.MaxTokenLifetime;
        if (ttl <= TimeSpan.Zero || ttl > _options.MaxTokenLifetime)
        {
            return Refused(MintRefusal.BadTtl);
        }

        if (request.MaxDuration is { } max && (max <= TimeSpan.Zero || max > _calls.MaxCallDuration))
        {
            return Refused(MintRefusal.BadMaxDuration);
        }

        if (request.Label is { } label && (label.Length > MaxLabelLength || label.Any(char.IsControl)))
        {
            return Refused(MintRefusal.BadLabel);
        }

        if (!Names.IsDialString(request.Destination))
        {
            return Refused(MintRefusal.BadDestination);
        }

        var caller = await _directory.GetExtensionAsync(key.CallerExtensionId, ct);
        if (caller is null)
        {
            return Refused(MintRefusal.CallerGone);
        }

        // The same decision the call will meet, so a backend learns now, not the visitor later, that the number is out of reach.
        switch (await _dialPlan.ResolveAsync(caller, request.Destination!, CallOrigin.Token, request.Destination, ct))
        {
            case Route.NotFound:
                return Refused(MintRefusal.DestinationNotFound);
            case Route.NotPermitted denied:
                return Refused(MintRefusal.DestinationNotPermitted, denied.Why);
        }

        // Minting is rate-limited per key, so a purge per mint costs little and the table never outgrows a day of tokens.
        await _tokens.PurgeTokensAsync(now - ExpiredTokensKept, ct);
        var token = Secrets.NewRandom();
        var expires = now + ttl;
        await _tokens.AddTokenAsync(new CallToken(Secrets.Hash(token), key.Key.Id, caller.Id, request.Destination!,
            string.IsNullOrWhiteSpace(request.Label) ? null : request.Label.Trim(), request.MaxDuration, now, expires, null), ct);
        return new MintedToken(token, expires, MintRefusal.None);
    }

    /// <summary>Checks a token the popup presents for <paramref name="destination"/>, without using it up.</summary>
    public async Task<TokenCheck> CheckAsync(string? token, string? destination, CancellationToken ct = default)
    {
        if (token is null || !Secrets.LooksLikeBase64Url(token, 43))
        {
            return new TokenCheck(TokenVerdict.Invalid);
        }

        var found = await _tokens.FindTokenAsync(Secrets.Hash(token), ct);
        if (found is null || await _directory.GetExtensionAsync(found.CallerExtensionId, ct) is not { } caller ||
            !await KeyIsActiveAsync(found.ApiKeyId, caller.Domain, ct))
        {
            return new TokenCheck(TokenVerdict.Invalid);
        }

        if (found.UsedAt is not null)
        {
            return new TokenCheck(TokenVerdict.Used);
        }

        if (_time.GetUtcNow() >= found.ExpiresAt)
        {
            return new TokenCheck(TokenVerdict.Expired);
        }

        return string.Equals(found.Destination, destination, StringComparison.Ordinal)
            ? new TokenCheck(TokenVerdict.Valid, found, caller)
            : new TokenCheck(TokenVerdict.OtherDestination);
    }

    /// <summary>Uses the token up as its call starts; false if another call got it first or it expired meanwhile.</summary>
    public async Task<bool> ConsumeAsync(byte[] tokenHash, CancellationToken ct = default)
    {
        // Called from a call socket's loop: the store may block (Microsoft.Data.Sqlite's async is synchronous), so off it.
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        return await _tokens.ConsumeTokenAsync(tokenHash, _time.GetUtcNow(), ct);
    }

    /// <summary>The domain a token belongs to (for the widget's origin rules), or null for an unknown token.</summary>
    public async Task<string?> DomainOfAsync(string? token, CancellationToken ct = default)
    {
        if (token is null || !Secrets.LooksLikeBase64Url(token, 43) || await _tokens.FindTokenAsync(Secrets.Hash(token), ct) is not { } found)
        {
            return null;
        }

        return (await _directory.GetExtensionAsync(found.CallerExtensionId, ct))?.Domain;
    }

    /// <summary>A revoked key's tokens die with it: revoking is how a leaked key's damage is stopped.</summary>
    private async Task<bool> KeyIsActiveAsync(long keyId, string domain, CancellationToken ct) =>
        (await _keys.ListKeysAsync(domain, ct)).Any(k => k.Id == keyId && k.RevokedAt is null);

    private MintedToken Refused(MintRefusal refusal, string? why = null) => new(null, _time.GetUtcNow(), refusal, why);
}
