using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Cluster;
using Switchboard.Sip.Transport;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Keeps this node in the cluster's node list and the list in <see cref="ClusterNodes"/> (docs/scale-out.md, "Calls
/// across nodes"): announces its SIP UDP address with a 15 s expiry and reads everyone's, at start and every 5 s, off the
/// SIP loop. A node whose sent-by is no IP address (a name) cannot be a hop's address: it then shares UDP bindings only.
/// </summary>
public sealed partial class ClusterNodeAnnouncer(IClusterNodeDirectory directory, ClusterNodes nodes, TimeProvider time,
    ILogger<ClusterNodeAnnouncer> log) : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private int _running;

    public async Task StartAsync(SipTransportHub hub, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hub);
        if (!IPEndPoint.TryParse(hub.SentBy(SipTransportKind.Udp) ?? "", out var own) || own.Address.Equals(IPAddress.Any) || own.Address.Equals(IPAddress.IPv6Any))
        {
            LogNoAddress(log, hub.SentBy(SipTransportKind.Udp) ?? "no UDP");
            return;
        }

        nodes.Own = own;
        await RefreshAsync(ct);
        LogAnnounced(log, own, nodes.Count);
        _timer = time.CreateTimer(_ => _ = RefreshOnceAsync(), null, Interval, Interval);
    }

    private async Task RefreshOnceAsync()
    {
        // One refresh at a time: a slow Redis must not pile them up.
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return;
        }

        try
        {
            await RefreshAsync(_stopping.Token);
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            // The list stays as it was; the next round tries again.
            LogRefreshFailed(log, e.Message);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        await directory.AnnounceAsync(nodes.Own!, Lifetime, ct);
        nodes.Replace(await directory.ListAsync(ct));
    }

    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
            try
            {
                await directory.WithdrawAsync();
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException or ObjectDisposedException)
            {
                LogRefreshFailed(log, e.Message);
            }
        }

        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 7027, Level = LogLevel.Information, Message = "In the cluster's node list as {Address}; {Nodes} nodes known")]
    private static partial void LogAnnounced(ILogger logger, IPEndPoint address, int nodes);

    [LoggerMessage(EventId = 7028, Level = LogLevel.Warning, Message = "SIP sent-by {SentBy} is not an IP address: other nodes cannot reach this node's TCP, TLS and WebSocket phones")]
    private static partial void LogNoAddress(ILogger logger, string sentBy);

    [LoggerMessage(EventId = 7029, Level = LogLevel.Warning, Message = "The cluster's node list could not be refreshed ({Error}); kept as it was")]
    private static partial void LogRefreshFailed(ILogger logger, string error);
}
