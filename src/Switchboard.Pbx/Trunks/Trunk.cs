using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Trunks;

/// <summary>
/// A SIP trunk of a domain: the carrier's proxy, the account the PBX uses there, and how calls through it look
/// (docs/trunks.md). The password is not here: it stays sealed in the store until a digest needs it.
/// </summary>
/// <param name="Proxy">The carrier's registrar and proxy, <c>host:port</c>.</param>
/// <param name="Username">The account at the carrier (digest username, and the From user when <see cref="FromUser"/> is empty).</param>
/// <param name="CarrierDomain">The host in Request-URI, From and To; the proxy's host when empty.</param>
/// <param name="FromUser">Caller ID rule: the From user of outbound calls; empty sends the caller's extension number.</param>
/// <param name="AssertedIdentity">When set, outbound calls carry <c>P-Asserted-Identity: &lt;sip:this@carrier&gt;</c> (RFC 3325).</param>
/// <param name="Dids">Inbound numbers and where each goes: <c>4930123456 → 100</c> (an extension, a service, an IVR number).</param>
public sealed record Trunk(
    long Id,
    string Domain,
    string Name,
    string Proxy,
    SipTransportKind Transport,
    string Username,
    bool Register,
    int Position,
    string? CarrierDomain = null,
    string? FromUser = null,
    string? AssertedIdentity = null,
    IReadOnlyDictionary<string, string>? Dids = null)
{
    public string Host => Proxy.Split(':')[0];

    public int Port => Proxy.Split(':') is [_, var p] && int.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out var port) ? port : 5060;

    /// <summary>The host part of our URIs towards the carrier.</summary>
    public string SipDomain => string.IsNullOrEmpty(CarrierDomain) ? Host : CarrierDomain;

    public IReadOnlyDictionary<string, string> DidMap => Dids ?? new Dictionary<string, string>();
}
