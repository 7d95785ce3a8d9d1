using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Links;

namespace Switchboard.Pbx.Security;

/// <summary>
/// The one place where web credentials and signed links are checked: throttle first, then the secret
/// in constant time, then the audit trail and a log line for every refusal (spec 2.9).
/// </summary>
public sealed partial class Authenticator
{
    private readonly IDirectoryStore _directory;
    private readonly LoginThrottle _throttle;
    private readonly SignedLinkChecker _links;
    private readonly ILoginFailureStore _failures;
    private readonly TimeProvider _time;
    private readonly ILogger<Authenticator> _log;
    private readonly string _defaultDomain;
    private readonly AuthFailureCounters? _counters;

    public Authenticator(IDirectoryStore directory, LoginThrottle throttle, SignedLinkChecker links, ILoginFailureStore failures,
        TimeProvider time, ILogger<Authenticator> log, PbxIdentity identity, AuthFailureCounters? counters = null)
    {
        _counters = counters;
        _directory = directory;
        _throttle = throttle;
        _links = links;
        _failures = failures;
        _time = time;
        _log = log;
        _defaultDomain = identity.DefaultDomain;
    }

    public async Task<AuthOutcome> LoginAsync(string? accountText, string? password, string address, CancellationToken ct = default)
    {
        var wellFormed = !string.IsNullOrEmpty(password) && password.Length <= 256;
        var (account, refusal) = await AdmitAsync(wellFormed ? accountText : null, address, "web", ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var key = account.ToString();
        var extension = await _directory.FindExtensionAsync(account.Domain, account.Number, ct);
        var stored = extension is null ? null : await _directory.GetWebPasswordAsync(extension.Id, ct);
        if (stored is null || !SecretEquals(stored, password!))
        {
            var after = await _throttle.RecordFailureAsync(key, address, ct);
            await RefuseAsync(key, address, "web", "bad_credentials", ct);
            return after.Allowed
                ? AuthOutcome.Fail(AuthFailure.BadCredentials)
                : AuthOutcome.Fail(AuthFailure.LockedOut, after.RetryAfter);
        }

        _throttle.RecordSuccess(key);
        LogLogin(_log, key, address);
        return AuthOutcome.Success(extension!);
    }

    public async Task<AuthOutcome> CheckLinkAsync(SignedLinkRequest link, string address, CancellationToken ct = default)
    {
        var (account, refusal) = await AdmitAsync(link.User, address, "link", ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var key = account.ToString();
        var extension = await _directory.FindExtensionAsync(account.Domain, account.Number, ct);
        var password = extension is null ? null : await _directory.GetWebPasswordAsync(extension.Id, ct);
        var verdict = _links.Check(link, password, _time.GetUtcNow());
        if (verdict == SignedLinkVerdict.Valid)
        {
            LogLink(_log, key, address);
            return AuthOutcome.Success(extension!);
        }

        // Only a forged hash is a guess at the password; an honest but stale link must not lock its owner out.
        var failure = verdict switch
        {
            SignedLinkVerdict.Malformed => AuthFailure.Malformed,
            SignedLinkVerdict.Expired => AuthFailure.LinkExpired,
            SignedLinkVerdict.NotYetValid => AuthFailure.LinkNotYetValid,
            SignedLinkVerdict.DurationTooLong => AuthFailure.LinkDurationTooLong,
            _ => AuthFailure.LinkForged,
        };
        if (failure == AuthFailure.LinkForged)
        {
            var after = await _throttle.RecordFailureAsync(key, address, ct);
            if (!after.Allowed)
            {
                await RefuseAsync(key, address, "link", "locked_out", ct);
                return AuthOutcome.Fail(AuthFailure.LockedOut, after.RetryAfter);
            }
        }

        await RefuseAsync(key, address, "link", "link_" + verdict.ToString().ToLowerInvariant(), ct);
        return AuthOutcome.Fail(failure);
    }

    /// <summary>The steps every path takes before looking at a secret: a well-formed account, then the throttle.</summary>
    private async Task<(AccountName Account, AuthOutcome? Refusal)> AdmitAsync(string? accountText, string address, string path, CancellationToken ct)
    {
        if (!AccountName.TryParse(accountText, _defaultDomain, out var account))
        {
            await RefuseAsync("(malformed)", address, path, "malformed", ct);
            return (default, AuthOutcome.Fail(AuthFailure.Malformed));
        }

        var decision = await _throttle.CheckAsync(account.Value.ToString(), address, ct);
        if (!decision.Allowed)
        {
            await RefuseAsync(account.Value.ToString(), address, path, "locked_out", ct);
            return (default, AuthOutcome.Fail(AuthFailure.LockedOut, decision.RetryAfter));
        }

        return (account.Value, null);
    }

    /// <summary>Constant-time comparison of the UTF-8 bytes (length differences still take the same path).</summary>
    internal static bool SecretEquals(string expected, string presented)
    {
        var a = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    private async Task RefuseAsync(string account, string address, string path, string reason, CancellationToken ct)
    {
        LogRefused(_log, path, Redact.Account(account), address, reason);
        _counters?.Count(path, reason);
        await _failures.RecordAsync(new LoginFailure(_time.GetUtcNow(), Truncate(account), address, path, reason), ct);
    }

    private static string Truncate(string value) => value.Length <= AccountName.MaxLength ? value : value[..AccountName.MaxLength];

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Web login of {Account} from {Address}")]
    private static partial void LogLogin(ILogger logger, string account, string address);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Signed link of {Account} accepted from {Address}")]
    private static partial void LogLink(ILogger logger, string account, string address);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Refused {Path} authentication for {Account} from {Address}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string path, string account, string address, string reason);
}
