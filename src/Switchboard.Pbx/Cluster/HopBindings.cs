using System.Net;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Cluster;

/// <summary>
/// What a node shares of an extension's bindings (docs/scale-out.md, "Calls across nodes"). A UDP binding as it is: any
/// node can send to its address. A binding over a TCP, TLS or WebSocket connection only this node holds becomes one
/// reached through this node: its flow names this node's SIP UDP address and its Path starts with this node's hop Route
/// (RFC 3327 section 5.3: the Path becomes the Route set of requests to the contact), so the calling node sends the
/// INVITE here and this node's hop forwards it over the connection. Without an address of its own to offer (no UDP, or
/// not yet listening) the node shares its UDP bindings only.
/// </summary>
public static class HopBindings
{
    private static readonly IPEndPoint Anywhere = new(IPAddress.Any, 0);

    public static IReadOnlyList<ContactBinding> ForSharing(IReadOnlyList<ContactBinding> own, IPEndPoint? hop)
    {
        ArgumentNullException.ThrowIfNull(own);
        var shared = new List<ContactBinding>(own.Count);
        foreach (var binding in own)
        {
            if (!binding.Flow.IsReliable)
            {
                shared.Add(binding);
            }
            else if (hop is not null)
            {
                shared.Add(binding with
                {
                    Flow = new SipFlow(SipTransportKind.Udp, Anywhere, hop),
                    Path = [NodeHopKey.UnsignedRoute(hop.ToString()), .. binding.Path ?? []],
                });
            }
        }

        return shared;
    }
}
