using System.Net;

namespace Switchboard.Pbx.Cluster;

/// <summary>Where the nodes announce their SIP addresses to each other (Redis in a cluster; docs/scale-out.md).</summary>
public interface IClusterNodeDirectory
{
    /// <summary>Says that this node is alive at <paramref name="sip"/> for the next <paramref name="lifetime"/>.</summary>
    Task AnnounceAsync(IPEndPoint sip, TimeSpan lifetime, CancellationToken ct = default);

    /// <summary>Every live node's address, this one's included.</summary>
    Task<IReadOnlyList<IPEndPoint>> ListAsync(CancellationToken ct = default);

    /// <summary>Withdraws this node's announcement (a node that stops).</summary>
    Task WithdrawAsync();
}
