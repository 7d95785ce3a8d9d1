using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Calls;

/// <summary>"Extension X dials D with a WebRTC leg" (architecture, flow 1).</summary>
/// <param name="OnlyDestination">Set for signed links: the one number the link grants (spec 2.3).</param>
public sealed record CallRequest(Extension Caller, string Destination, string OfferSdp, string Origin, string? OnlyDestination);
