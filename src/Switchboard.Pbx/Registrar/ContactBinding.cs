using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Registrar;

/// <summary>
/// One registered contact of an extension (RFC 3261 section 10.3). <paramref name="Flow"/> is the path the REGISTER
/// came in on: requests to this contact are sent there, not to the Contact host, so phones behind NAT and on
/// TCP/TLS/WebSocket connections are reached (RFC 5626 section 5.3, without the outbound keep-alive machinery).
/// </summary>
/// <param name="InstanceId">The <c>+sip.instance</c> value without its quotes (RFC 5626 section 4.1), if the phone sent one.</param>
/// <param name="Path">The Path the REGISTER carried (RFC 3327): requests to the contact carry it as their Route set. Empty without one.</param>
/// <param name="Node">Null for a binding this node's registrar made; else the node that did, as shared through Redis
/// (docs/scale-out.md, "Calls across nodes"). Shared bindings are UDP flows any node can make: a phone's address, or the
/// holding node's own for a phone it holds over a connection (reached through its hop).</param>
public sealed record ContactBinding(
    long ExtensionId,
    SipUri Contact,
    SipFlow Flow,
    DateTimeOffset ExpiresAt,
    string? InstanceId,
    int? RegId,
    string CallId,
    uint CSeq,
    string? UserAgent,
    IReadOnlyList<string>? Path = null,
    string? Node = null)
{
    /// <summary>Whole seconds left, rounded up, for the expires parameter of a 200 OK (RFC 3261 section 10.3 step 8).</summary>
    public long SecondsLeft(DateTimeOffset now) => Math.Max(0, (long)Math.Ceiling((ExpiresAt - now).TotalSeconds));

    /// <summary>The same registration: the same instance id (RFC 5626 section 6: the phone moved, its URI changed), or the same URI.</summary>
    internal bool Matches(SipUri contact, string? instanceId) =>
        (instanceId is not null && string.Equals(InstanceId, instanceId, StringComparison.Ordinal)) || Contact.Equals(contact);
}
