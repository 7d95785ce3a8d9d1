namespace Switchboard.Pbx.Policy;

/// <summary>The values of <c>CallRequest.Origin</c>, and which of them the click-to-call allow-list guards.</summary>
public static class CallOrigin
{
    public const string Web = "web";
    public const string Link = "link";
    public const string Sip = "sip";

    /// <summary>A popup or widget call with a token a website's backend minted (docs/tokens.md).</summary>
    public const string Token = "token";

    /// <summary>The popup, signed links and tokens may dial only allow-listed external numbers; SIP phones are not limited so.</summary>
    public static bool IsClickToCall(string origin) => origin is not Sip;
}
