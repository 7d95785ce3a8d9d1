using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Trunks;

/// <summary>Answers a carrier's 401 or 407 with the trunk's account (RFC 3261 section 22.2; MD5 first, what carriers expect).</summary>
internal static class TrunkDigest
{
    /// <returns>The header to add (Authorization or Proxy-Authorization) and its value; null when there is no usable challenge.</returns>
    public static (string Name, string Value)? Answer(SipResponse challengeResponse, Trunk trunk, string password, string method, string uri)
    {
        var proxy = challengeResponse.StatusCode == 407;
        var challenges = challengeResponse.GetDigestChallenges(proxy);
        var challenge = challenges.FirstOrDefault(c => c.Algorithm == DigestAlgorithm.Md5) ?? (challenges.Count > 0 ? challenges[0] : null);
        if (challenge is null)
        {
            return null;
        }

        var credentials = DigestClient.Answer(challenge, trunk.Username, password, method, uri, SipIds.NewTag(), 1);
        return (proxy ? "Proxy-Authorization" : "Authorization", credentials.ToHeaderValue());
    }
}
