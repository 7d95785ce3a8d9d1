using System.Collections.Frozen;
using System.Net;

namespace Switchboard.Pbx.Cluster;

/// <summary>
/// The SIP addresses of the cluster's live nodes, as they announce themselves through Redis (docs/scale-out.md, "Calls
/// across nodes"), and this node's own. The hop between nodes takes requests only from these addresses and sends only
/// to them or to a connection this node holds. Replaced whole by the announcer, read without a lock by the SIP loop.
/// </summary>
public sealed class ClusterNodes
{
    private volatile FrozenSet<IPEndPoint> _nodes = FrozenSet<IPEndPoint>.Empty;
    private volatile FrozenSet<IPAddress> _addresses = FrozenSet<IPAddress>.Empty;
    private volatile Address? _own;

    /// <summary>
    /// This node's SIP UDP address as the other nodes reach it: its sent-by, or the address its sent-by's name resolves to
    /// (docs/scale-out.md, "A node known by a name"); null while it has none and cannot take hops.
    /// </summary>
    public IPEndPoint? Own
    {
        get => _own?.EndPoint;
        set => _own = value is null ? null : new Address(value, value.ToString());
    }

    /// <summary><see cref="Own"/> as written in a hop's Route and Record-Route (host:port), kept so the SIP loop need not format it.</summary>
    public string? OwnHostPort => _own?.Text;

    public bool IsNode(IPEndPoint address) => _nodes.Contains(address);

    public int Count => _nodes.Count;

    /// <summary>
    /// Whether a request's source address is a node's (any port): the SIP flood guard does not limit the other nodes,
    /// as it does not limit the proxy in front, since one node's hop carries many phones' calls (docs/security.md).
    /// </summary>
    public bool IsNodeAddress(IPAddress address) => _addresses.Contains(address);

    private sealed record Address(IPEndPoint EndPoint, string Text);

    public void Replace(IEnumerable<IPEndPoint> nodes)
    {
        var set = nodes.ToFrozenSet();
        _addresses = set.Select(n => n.Address).ToFrozenSet();
        _nodes = set;
    }
}
