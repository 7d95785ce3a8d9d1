using Switchboard.Pbx.Directory;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Registrar;

/// <summary>What <see cref="SipRequestAuthenticator"/> decided; everything but <see cref="Authenticated"/> carries the response to send.</summary>
public abstract record SipAuthResult
{
    private SipAuthResult()
    {
    }

    /// <summary>The response to send instead of processing the request; null when authenticated.</summary>
    public abstract SipResponse? Response { get; }

    /// <summary>Digest checked: the request comes from this extension.</summary>
    public sealed record Authenticated(Extension Extension) : SipAuthResult
    {
        public override SipResponse? Response => null;
    }

    /// <summary>401 with SHA-256 and MD5 challenges: no credentials yet, or a stale or foreign nonce (RFC 3261 section 22.2, RFC 8760).</summary>
    public sealed record Challenge(SipResponse Challenge401, bool Stale) : SipAuthResult
    {
        public override SipResponse Response => Challenge401;
    }

    /// <summary>403: wrong password, unknown account, a username that is not the From/To user, or unusable credentials.</summary>
    public sealed record Rejected(SipResponse Forbidden, string Reason) : SipAuthResult
    {
        public override SipResponse Response => Forbidden;
    }

    /// <summary>
    /// 403 "Too many failures": the account or address is locked out (shared with web logins). Not 503, which tells a
    /// phone to fail over to another server and retry at once (RFC 3263 section 4.3), and would read as an outage.
    /// </summary>
    public sealed record Throttled(SipResponse Forbidden, TimeSpan RetryAfter) : SipAuthResult
    {
        public override SipResponse Response => Forbidden;
    }
}
