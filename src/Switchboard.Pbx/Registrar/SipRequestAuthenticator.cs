using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Security;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Registrar;

/// <summary>
/// Digest authentication of SIP requests from our extensions (RFC 3261 section 22, RFC 7616, RFC 8760). The realm is
/// the extension's domain; the digest username (<c>number</c> or <c>number@domain</c>) must be the To user of a
/// REGISTER or the From user of anything else. Failures spend the same <see cref="LoginThrottle"/> budget as web
/// logins and signed links, under the same <c>number@domain</c> key, and a locked account or address is refused
/// before its password is looked at. Thread-safe.
/// </summary>
public sealed class SipRequestAuthenticator
{
    private const string SipPath = "sip";

    private readonly IDirectoryStore _directory;
    private readonly LoginThrottle _throttle;
    private readonly RegistrarOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SipRequestAuthenticator> _log;
    private readonly ILoginFailureStore? _failures;
    private readonly DigestServer _digest;
    private readonly AuthFailureCounters? _counters;
    private readonly SipFlowBindings? _bindings;
    private readonly Lock _digestGate = new();

    /// <summary>Checked against when the account does not exist, so unknown and known accounts take the same path and time.</summary>
    private readonly string _decoyPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <param name="digestKey">The nonce key (at least 32 bytes); null draws a random one, so nonces of an earlier process are refused and re-challenged.</param>
    public SipRequestAuthenticator(IDirectoryStore directory, LoginThrottle throttle, RegistrarOptions options, TimeProvider time,
        ILogger<SipRequestAuthenticator> log, ILoginFailureStore? failures = null, byte[]? digestKey = null, DigestServerOptions? digestOptions = null,
        AuthFailureCounters? counters = null, SipFlowBindings? bindings = null)
    {
        _bindings = bindings;
        _counters = counters;
        _directory = directory;
        _throttle = throttle;
        _options = options;
        _time = time;
        _log = log;
        _failures = failures;
        _digest = new DigestServer(digestKey ?? RandomNumberGenerator.GetBytes(32), digestOptions);
    }

    public async Task<SipAuthResult> AuthenticateAsync(SipRequest request, SipFlow flow, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var isRegister = request.Method == SipMethod.Register;
        var claimed = isRegister ? request.To.Uri : request.From.Uri;
        var realm = await ResolveDomainAsync(claimed.Host, ct);
        var address = flow.Remote.Address.ToString();

        // A WebSocket the web layer opened for a logged-in extension (phone.htm) speaks for that extension only.
        if (_bindings?.Of(flow) is { } bound)
        {
            if (string.Equals(bound.Domain, realm, StringComparison.OrdinalIgnoreCase) && string.Equals(bound.Number, claimed.User, StringComparison.Ordinal))
            {
                return new SipAuthResult.Authenticated(bound);
            }

            await RefuseAsync(bound.Account, address, "other_extension", ct);
            return Reject(request, "Not this connection's extension");
        }

        if (!request.TryGetDigestCredentials(realm, proxy: false, out var credentials))
        {
            RegistrarLog.Challenged(_log, realm, flow.Remote, false);
            return Challenge(request, realm, stale: false);
        }

        if (!AccountName.TryParse(credentials.Username, realm, out var account) ||
            !string.Equals(account.Value.Domain, realm, StringComparison.OrdinalIgnoreCase) ||
            !string.Equals(account.Value.Number, claimed.User, StringComparison.Ordinal))
        {
            var shown = Redact.Account(credentials.Username);
            await RefuseAsync(shown, address, "username_mismatch", ct);
            return Reject(request, "Username does not match");
        }

        // RFC 7616 section 3.4.6: the digest-uri must name the Request-URI, or credentials made for one request would serve another.
        if (!SipUri.TryParse(credentials.Uri, out var digestUri) || !digestUri.Equals(request.RequestUri))
        {
            await RefuseAsync(account.Value.ToString(), address, "uri_mismatch", ct);
            return Reject(request, "Digest uri does not match");
        }

        var key = account.Value.ToString();
        var gate = _throttle.Check(key, address);
        if (!gate.Allowed)
        {
            await RefuseAsync(key, address, "locked_out", ct);
            return Throttle(request, gate.RetryAfter);
        }

        var extension = await _directory.FindExtensionAsync(account.Value.Domain, account.Value.Number, ct);
        var password = extension is null ? null : await _directory.GetSipPasswordAsync(extension.Id, ct);
        var status = Verify(credentials, request.Method.Name, realm, password ?? _decoyPassword);
        if (status == DigestVerifyStatus.Ok && password is null)
        {
            status = DigestVerifyStatus.WrongResponse;
        }

        switch (status)
        {
            case DigestVerifyStatus.Ok:
                _throttle.RecordSuccess(key);
                return new SipAuthResult.Authenticated(extension!);
            case DigestVerifyStatus.Stale or DigestVerifyStatus.Replay:
                RegistrarLog.Challenged(_log, realm, flow.Remote, true);
                return Challenge(request, realm, stale: true);
            case DigestVerifyStatus.InvalidNonce:
                // A nonce of another key, e.g. of this PBX before a restart: not a guess at the password.
                RegistrarLog.Challenged(_log, realm, flow.Remote, false);
                return Challenge(request, realm, stale: false);
            case DigestVerifyStatus.Malformed:
                await RefuseAsync(key, address, "malformed", ct);
                return Reject(request, "Unsupported credentials");
            default:
                var after = _throttle.RecordFailure(key, address);
                if (!after.Allowed)
                {
                    await RefuseAsync(key, address, "locked_out", ct);
                    return Throttle(request, after.RetryAfter);
                }

                await RefuseAsync(key, address, "bad_credentials", ct);
                return Reject(request, "Forbidden");
        }
    }

    /// <summary>The domain a From/To host names: itself when it is one of ours, else the default domain (IP addresses, unknown names).</summary>
    public async Task<string> ResolveDomainAsync(string host, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.ToLowerInvariant();
        if (IPAddress.TryParse(name.Trim('[', ']'), out _) || !Names.IsDomainName(name))
        {
            return _options.DefaultDomain;
        }

        return await _directory.FindDomainAsync(name, ct) is null ? _options.DefaultDomain : name;
    }

    private DigestVerifyStatus Verify(DigestCredentials credentials, string method, string realm, string password)
    {
        lock (_digestGate)
        {
            return _digest.Verify(credentials, method, realm, password, _time.GetUtcNow());
        }
    }

    private SipAuthResult.Challenge Challenge(SipRequest request, string realm, bool stale)
    {
        IReadOnlyList<DigestChallenge> challenges;
        lock (_digestGate)
        {
            challenges = _digest.CreateChallenges(realm, _time.GetUtcNow(), _options.DigestAlgorithms, stale);
        }

        return new SipAuthResult.Challenge(request.CreateChallengeResponse(challenges, SipIds.NewTag()), stale);
    }

    private static SipAuthResult.Rejected Reject(SipRequest request, string reason) =>
        new(SipMessageFactory.CreateResponse(request, 403, reason, SipIds.NewTag()).BuildResponse(), reason);

    private static SipAuthResult.Throttled Throttle(SipRequest request, TimeSpan retryAfter) =>
        new(SipMessageFactory.CreateResponse(request, 403, "Too many failures", SipIds.NewTag()).BuildResponse(), retryAfter);

    private async Task RefuseAsync(string account, string address, string reason, CancellationToken ct)
    {
        RegistrarLog.AuthRefused(_log, account, address, reason);
        _counters?.Count(SipPath, reason);
        if (_failures is not null)
        {
            var stored = account.Length <= AccountName.MaxLength ? account : account[..AccountName.MaxLength];

            // The audit trail is a store write: on the thread pool, never on the SIP loop that may have called us.
            await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            await _failures.RecordAsync(new LoginFailure(_time.GetUtcNow(), stored, address, SipPath, reason), ct);
        }
    }
}
