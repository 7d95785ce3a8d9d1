using System.Diagnostics.CodeAnalysis;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Auth;

/// <summary>Reads and writes the authentication headers of RFC 3261 sections 22.2 (UAS, 401) and 22.3 (proxy, 407).</summary>
public static class SipMessageAuthExtensions
{
    /// <summary>The Digest credentials in Authorization (or Proxy-Authorization) for <paramref name="realm"/>, if any parse.</summary>
    public static bool TryGetDigestCredentials(this SipRequest request, string realm, bool proxy, [NotNullWhen(true)] out DigestCredentials? credentials)
    {
        ArgumentNullException.ThrowIfNull(request);
        credentials = null;
        var name = SipHeaderNames.GetName(proxy ? SipHeaderId.ProxyAuthorization : SipHeaderId.Authorization);
        foreach (var h in request.Headers)
        {
            if (h.Id != SipHeaderNames.Identify(name)) continue;
            if (DigestCredentials.TryParse(h.Value, out var c) && string.Equals(c.Realm, realm, StringComparison.Ordinal))
            {
                credentials = c;
                return true;
            }
        }
        return false;
    }

    /// <summary>Every Digest challenge in WWW-Authenticate (or Proxy-Authenticate), in order.</summary>
    public static IReadOnlyList<DigestChallenge> GetDigestChallenges(this SipResponse response, bool proxy)
    {
        ArgumentNullException.ThrowIfNull(response);
        var id = proxy ? SipHeaderId.ProxyAuthenticate : SipHeaderId.WwwAuthenticate;
        var list = new List<DigestChallenge>();
        foreach (var h in response.Headers)
        {
            if (h.Id == id && DigestChallenge.TryParse(h.Value, out var c)) list.Add(c);
        }
        return list;
    }

    /// <summary>A 401 (or 407 for a proxy) to <paramref name="request"/> carrying the challenges.</summary>
    public static SipResponse CreateChallengeResponse(this SipRequest request, IEnumerable<DigestChallenge> challenges, string toTag, bool proxy = false)
    {
        ArgumentNullException.ThrowIfNull(challenges);
        var b = SipMessageFactory.CreateResponse(request, proxy ? 407 : 401, toTag: toTag);
        foreach (var c in challenges) b.AddHeader(proxy ? SipHeaderId.ProxyAuthenticate : SipHeaderId.WwwAuthenticate, c.ToHeaderValue());
        return b.BuildResponse();
    }
}
