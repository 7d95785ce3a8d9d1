using Switchboard.Pbx.Directory;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Sip;

/// <summary>Answers REGISTER requests (RFC 3261 section 10.3).</summary>
public interface ISipRegistrar
{
    Task<SipResponse> HandleRegisterAsync(SipRequest request, SipFlow flow, CancellationToken ct);
}

/// <summary>Digest authentication of a request from a phone, against the extension's SIP password.</summary>
public interface ISipAuthenticator
{
    Task<SipAuthDecision> AuthenticateAsync(SipRequest request, SipFlow flow, CancellationToken ct);
}

/// <summary>Either the authenticated extension, or the response that refuses or challenges the request.</summary>
public readonly record struct SipAuthDecision(Extension? Caller, SipResponse? Refusal);

/// <summary>Where an extension can be reached now: its registered contacts.</summary>
public interface ISipLocations
{
    IReadOnlyList<SipContact> Lookup(long extensionId);

    /// <summary>A connection closed: bindings made over it can no longer be reached.</summary>
    void OnFlowClosed(SipFlow flow);
}

/// <summary>One registered contact and the flow its REGISTER came over (requests go back on that flow: RFC 5626 section 5.3).</summary>
/// <param name="Route">The binding's Path, sent as the request's Route set (RFC 3327 section 5.3); empty without one.</param>
public sealed record SipContact(SipUri Contact, SipFlow Flow, IReadOnlyList<string>? Route = null);
