using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;
using Switchboard.Sip.UserAgent;

namespace Switchboard.Pbx.Cluster;

/// <summary>
/// The hop between nodes (docs/scale-out.md, "Calls across nodes"): a transaction-stateless proxy (RFC 3261 section
/// 16.11) for exactly one purpose, carrying another node's call to a phone or browser whose TCP, TLS or WebSocket
/// connection this node holds, and that call's in-dialog requests and responses both ways. It is no general relay
/// (docs/security.md, "The hop between nodes"):
/// <list type="bullet">
/// <item>A first request (its Route carries the <c>i</c> proof) must come over UDP from a node's announced address and
/// prove, with the key all nodes derive from <c>secrets.key</c>, that a node made it for this Call-ID and Request-URI.
/// It goes only to a binding this node's own registrar holds over a connection: never to another node, a UDP address,
/// a trunk, or a binding shared by another node, so a hop is never handed on (no loop, no chain of nodes).</item>
/// <item>An in-dialog request (a To tag, the Record-Route's <c>d</c> proof for its Call-ID, the phone's connection and
/// the calling node) from a node goes over that connection, while this node's registrar still holds a binding on it;
/// from anywhere else (the phone) it goes only to the calling node recorded there, while that is still a node.</item>
/// <item>A response is relayed only when its top Via is a branch this hop made (proved the same way), and only to a node
/// or back over the connection the request came on.</item>
/// </list>
/// Runs on the SIP endpoint's loop; it keeps no state per call, and takes no lock but the location service's.
/// </summary>
public sealed partial class NodeHopRelay(ISipTransport transport, LocationService locations, ClusterNodes nodes, NodeHopKey key,
    TimeProvider time, Func<bool> refusesNewCalls, ILogger<NodeHopRelay> log) : ISipRelay
{
    private static readonly IPEndPoint Anywhere = new(IPAddress.Any, 0);

    public bool TryRelay(SipMessage message, in SipFlow flow) => message switch
    {
        SipRequest request => TryRelayRequest(request, flow),
        SipResponse response => TryRelayResponse(response),
        _ => false,
    };

    private bool TryRelayRequest(SipRequest request, in SipFlow flow)
    {
        var routes = request.Routes;
        if (routes.Count == 0 || !IsOurs(routes[0].Uri))
        {
            return false;
        }

        var proof = routes[0].Uri.Parameters.Get(NodeHopKey.Parameter);
        var fromNode = flow.Transport == SipTransportKind.Udp && nodes.IsNode(flow.Remote);
        SipFlow? target;
        if (proof is ['i', ..])
        {
            // The first INVITE (and its CANCEL and non-2xx ACK, which copy its Route): only from a node, only to a connection held here.
            if (!fromNode || !NodeHopKey.Same(key.ForRequest(request.CallId, request.RequestUri.ToString()), proof))
            {
                return Refuse(request, flow, 403, "Not a node of this cluster");
            }

            if (request.Method == SipMethod.Invite && refusesNewCalls())
            {
                // Section 21.5.4, as the draining node's own core answers (docs/scale-out.md, "Drain"): the calling node
                // ends this branch; its calls through this hop that are up go on (in-dialog requests pass below).
                return Refuse(request, flow, 503, "Service Unavailable", SipUserAgentCore.RetryAfterDraining);
            }

            target = locations.FindHeldConnection(request.RequestUri, time.GetUtcNow())?.Flow;
            if (target is null)
            {
                return Refuse(request, flow, 480, "Temporarily Unavailable");
            }
        }
        else if (proof is ['d', ..] && request.To.Tag is not null
            && long.TryParse(routes[0].Uri.Parameters.Get(NodeHopKey.ConnectionParameter), NumberStyles.None, CultureInfo.InvariantCulture, out var connection)
            && routes[0].Uri.Parameters.Get(NodeHopKey.NodeParameter) is { } callingNode
            && NodeHopKey.Same(key.ForDialog(request.CallId, connection, callingNode), proof))
        {
            // The phone's connection and the calling node are named in the route: the phone's in-dialog Request-URI need not
            // be its registered contact, and the calling node's Contact may be a name this loop does not resolve.
            target = fromNode ? locations.FindHeldConnection(connection, time.GetUtcNow())?.Flow : NodeAt(callingNode);
            if (target is null)
            {
                return Refuse(request, flow, fromNode ? 481 : 403, fromNode ? "Call/Transaction Does Not Exist" : "Not a node of this cluster");
            }
        }
        else
        {
            return Refuse(request, flow, 403, "Not a node of this cluster");
        }

        // Section 16.3 step 3 and 16.6 step 3: Max-Forwards is checked and counted down.
        var maxForwards = request.MaxForwards ?? 70;
        if (maxForwards <= 0)
        {
            return Refuse(request, flow, 483, "Too Many Hops");
        }

        Forward(request, routes, flow, target.Value, maxForwards - 1);
        return true;
    }

    private void Forward(SipRequest request, IReadOnlyList<SipNameAddress> routes, SipFlow from, SipFlow to, int maxForwards)
    {
        var b = request.ToBuilder();

        // Section 16.4: our own Route entries go (both of a pair we record-routed); the rest stays, in order.
        var skip = 0;
        while (skip < routes.Count && IsOurs(routes[skip].Uri))
        {
            skip++;
        }

        b.RemoveHeader("Route");
        for (var i = skip; i < routes.Count; i++)
        {
            b.AddHeader(SipHeaderId.Route, routes[i].ToString());
        }

        b.SetHeader(SipHeaderId.MaxForwards, maxForwards.ToString(CultureInfo.InvariantCulture));

        // Section 16.6 step 4 with RFC 5658's double Record-Route: one entry for each side of the hop, so the phone reaches
        // this node over its connection and the calling node over UDP; each side's route set then starts with its own entry.
        if (request.Method == SipMethod.Invite && request.To.Tag is null)
        {
            var callingNode = from.Remote.ToString();
            var dialogProof = key.ForDialog(request.CallId, to.ConnectionId, callingNode);
            b.PrependHeader("Record-Route", RecordRoute(from.Transport, dialogProof, to.ConnectionId, callingNode));
            b.PrependHeader("Record-Route", RecordRoute(to.Transport, dialogProof, to.ConnectionId, callingNode));
        }

        // Section 16.11: the branch is a function of the incoming one, so a CANCEL or a non-2xx ACK gets the INVITE's.
        var incoming = request.TopVia.Branch ?? "";
        var connection = from.IsReliable ? from.ConnectionId : 0;
        b.PrependHeader("Via", SipVia.Format(to.Transport.ViaToken(), transport.SentBy(to.Transport) ?? to.Local.ToString(), key.Branch(incoming, connection)));
        Send(to, b.ToBytes(), request.Method.ToString());
    }

    /// <summary>Section 16.7 step 3, stateless: our Via goes, and the response follows the next one.</summary>
    private bool TryRelayResponse(SipResponse response)
    {
        var vias = response.Vias;
        if (vias[0].Branch is not { } branch || !branch.StartsWith(NodeHopKey.BranchPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var dot = branch.LastIndexOf('.');
        if (vias.Count < 2 || !long.TryParse(branch.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var connection)
            || !NodeHopKey.Same(key.Branch(vias[1].Branch ?? "", connection), branch))
        {
            LogDropped(log, "a response to a branch this hop did not make");
            return true;
        }

        var next = vias[1];
        var port = next.RPort ?? next.Port ?? 5060;
        if (!IPAddress.TryParse(next.Received ?? next.Host, out var address) || !SipTransportKinds.TryParse(next.Transport, out var kind))
        {
            LogDropped(log, "a response whose next Via is not an address");
            return true;
        }

        var remote = new IPEndPoint(address, port);
        SipFlow to;
        if (connection != 0)
        {
            // Back over the connection the request came on (section 18.2.2); TrySend uses the id while it is open.
            to = new SipFlow(kind, Anywhere, remote, connection);
        }
        else if (kind == SipTransportKind.Udp && nodes.IsNode(remote) && transport.CreateFlow(SipTransportKind.Udp, remote) is { } udp)
        {
            to = udp;
        }
        else
        {
            LogDropped(log, "a response for an address that is no node");
            return true;
        }

        var b = response.ToBuilder();
        b.RemoveHeader("Via");
        for (var i = vias.Count - 1; i >= 1; i--)
        {
            b.PrependHeader("Via", vias[i].ToString());
        }

        Send(to, b.ToBytes(), response.StatusCode.ToString(CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>A request from the phone's side goes only to the node that made the call, while it is still a node.</summary>
    private SipFlow? NodeAt(string callingNode) =>
        IPEndPoint.TryParse(callingNode, out var remote) && nodes.IsNode(remote) ? transport.CreateFlow(SipTransportKind.Udp, remote) : null;

    /// <summary>
    /// One of the two Record-Routes. The nodes' side names this node by the address the other nodes know it by (its
    /// sent-by may be a name they would have to resolve); the phone's side by its sent-by on the phone's transport.
    /// </summary>
    private string RecordRoute(SipTransportKind side, string proof, long connection, string callingNode)
    {
        var sentBy = (side == SipTransportKind.Udp ? nodes.OwnHostPort : null) ?? transport.SentBy(side) ?? "";
        var transportParameter = side == SipTransportKind.Udp ? "" : ";transport=" + side.UriParameter();
        return string.Create(CultureInfo.InvariantCulture,
            $"<sip:{sentBy}{transportParameter};lr;{NodeHopKey.Parameter}={proof};{NodeHopKey.ConnectionParameter}={connection};{NodeHopKey.NodeParameter}={callingNode}>");
    }

    private bool IsOurs(SipUri uri)
    {
        if (!uri.Parameters.Has(NodeHopKey.Parameter))
        {
            return false;
        }

        // Ours by the address the other nodes know (the Route they were given, the nodes' Record-Route) or by a sent-by.
        var hostPort = uri.HostPort;
        if (string.Equals(nodes.OwnHostPort, hostPort, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var kind in (ReadOnlySpan<SipTransportKind>)[SipTransportKind.Udp, SipTransportKind.Tcp, SipTransportKind.Tls, SipTransportKind.Ws, SipTransportKind.Wss])
        {
            if (string.Equals(transport.SentBy(kind), hostPort, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Answers a request the hop will not carry, statelessly (section 16.3); an ACK gets nothing (section 17.2.3).</summary>
    private bool Refuse(SipRequest request, in SipFlow flow, int status, string reason, string? retryAfter = null)
    {
        LogRefused(log, request.Method, status);
        if (request.Method != SipMethod.Ack)
        {
            var builder = SipMessageFactory.CreateResponse(request, status, reason, SipIds.NewTag());
            if (retryAfter is not null)
            {
                builder.AddHeader("Retry-After", retryAfter);
            }

            transport.TrySend(flow, builder.BuildResponse().Raw.Span);
        }

        return true;
    }

    private void Send(SipFlow to, byte[] bytes, string what)
    {
        if (!transport.TrySend(to, bytes))
        {
            LogSendFailed(log, what, to.Transport);
        }
    }

    [LoggerMessage(EventId = 7040, Level = LogLevel.Information, Message = "Hop between nodes refused a {Method} with {Status}")]
    private static partial void LogRefused(ILogger logger, SipMethod method, int status);

    [LoggerMessage(EventId = 7041, Level = LogLevel.Warning, Message = "Hop between nodes dropped {What}")]
    private static partial void LogDropped(ILogger logger, string what);

    [LoggerMessage(EventId = 7042, Level = LogLevel.Warning, Message = "Hop between nodes could not send a {What} over {Transport}")]
    private static partial void LogSendFailed(ILogger logger, string what, SipTransportKind transport);
}
