using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Sip;

namespace Switchboard.Pbx.Calls;

/// <summary>"Extension X dials D" (architecture, flow 1), from the popup's WebRTC leg or from a SIP phone.</summary>
/// <param name="OfferSdp">The caller's offer: a browser's WebRTC offer, or a phone's plain RTP offer when <see cref="Sip"/> is set.</param>
/// <param name="OnlyDestination">Set for signed links: the one number the link grants (spec 2.3).</param>
public sealed record CallRequest(Extension Caller, string Destination, string OfferSdp, string Origin, string? OnlyDestination)
{
    /// <summary>Set when a SIP phone places the call: its INVITE, to be answered by the call.</summary>
    public SipInvite? Sip { get; init; }

    /// <summary>The label of the call token that allowed the call, for its record (docs/tokens.md).</summary>
    public string? TokenLabel { get; init; }

    /// <summary>A shorter cap than <see cref="CallOptions.MaxCallDuration"/> on the answered call (a token's <c>maxDuration</c>).</summary>
    public TimeSpan? MaxDuration { get; init; }
}
