using System.Net;
using StackExchange.Redis;
using Switchboard.Pbx.Cluster;

namespace Switchboard.Storage.Redis;

/// <summary>
/// The nodes' SIP addresses in Redis (docs/scale-out.md, "Calls across nodes"): each node keeps <c>node:NODE</c> (its
/// SIP UDP address) alive with a short expiry, so a node that dies drops out of every other node's list within it.
/// </summary>
public sealed class RedisClusterNodes(RedisSharedState redis, string node) : IClusterNodeDirectory
{
    public async Task AnnounceAsync(IPEndPoint sip, TimeSpan lifetime, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sip);
        await redis.Database.StringSetAsync(redis.Key("node", node), sip.ToString(), lifetime);
    }

    public async Task<IReadOnlyList<IPEndPoint>> ListAsync(CancellationToken ct = default)
    {
        var found = new List<IPEndPoint>();
        await foreach (var (_, value) in redis.ScanStringsAsync("node", ct))
        {
            if (IPEndPoint.TryParse(value, out var address))
            {
                found.Add(address);
            }
        }

        return found;
    }

    public async Task WithdrawAsync() => await redis.Database.KeyDeleteAsync(redis.Key("node", node));
}
