using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Pbx.Cluster;
using Switchboard.Sip.Transport;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Keeps this node in the cluster's node list and the list in <see cref="ClusterNodes"/> (docs/scale-out.md, "Calls
/// across nodes"): announces its SIP UDP address with a 15 s expiry and reads everyone's, at start and every 5 s, off the
/// SIP loop. A node whose sent-by is a name (<c>--sip-advertise pbx-b.example</c>) is known to the others by the address
/// that name resolves to, looked up here at start and again at every refresh, never on the SIP loop
/// (docs/scale-out.md, "A node known by a name").
/// </summary>
public sealed partial class ClusterNodeAnnouncer(IClusterNodeDirectory directory, ClusterNodes nodes, TimeProvider time,
    ILogger<ClusterNodeAnnouncer> log) : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);

    /// <summary>How long a stopping node waits to be taken out of the node list.</summary>
    public static readonly TimeSpan WithdrawWait = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private int _running;
    private string? _name;
    private int _port;
    private IPAddress _bound = IPAddress.Any;

    /// <summary>How a name is resolved (the system's resolver; a test gives its own).</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; init; } = Dns.GetHostAddressesAsync;

    public Task StartAsync(SipTransportHub hub, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hub);
        return StartAsync(hub.SentBy(SipTransportKind.Udp), hub.BindAddress, ct);
    }

    /// <summary>Starts with the node's SIP UDP sent-by (host:port; null without UDP) and the address its UDP socket is bound to.</summary>
    public async Task StartAsync(string? sentBy, IPAddress bound, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bound);
        if (!TrySplit(sentBy, out var host, out var port))
        {
            LogNoAddress(log, sentBy ?? "no UDP");
            return;
        }

        if (IPAddress.TryParse(host, out var address))
        {
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            {
                LogNoAddress(log, sentBy!);
                return;
            }

            nodes.Own = new IPEndPoint(address, port);
        }
        else
        {
            (_name, _port, _bound) = (host, port, bound);
            await ResolveOwnAsync(ct);
        }

        if (nodes.Own is not null)
        {
            await RefreshAsync(ct);
            LogAnnounced(log, nodes.Own, nodes.Count);
        }

        _timer = time.CreateTimer(_ => _ = RefreshOnceAsync(), null, Interval, Interval);
    }

    private async Task RefreshOnceAsync()
    {
        // One refresh at a time: a slow Redis or resolver must not pile them up.
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return;
        }

        try
        {
            if (_name is not null)
            {
                await ResolveOwnAsync(_stopping.Token);
            }

            if (nodes.Own is not null)
            {
                await RefreshAsync(_stopping.Token);
            }
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

    /// <summary>
    /// The name's address: the one the SIP socket is bound to when the name has it (the address this node's requests come
    /// from, which the other nodes check); bound to every interface, the first of the socket's family. A lookup that
    /// fails, or finds neither, keeps the last one.
    /// </summary>
    private async Task ResolveOwnAsync(CancellationToken ct)
    {
        IPAddress[] found;
        try
        {
            found = await Resolve(_name!, ct);
        }
        catch (SocketException e)
        {
            LogNameUnresolved(log, _name!, e.Message);
            return;
        }

        // Bound to one address, the node's requests come from it, so only that one will pass the other nodes' check.
        var family = _bound.AddressFamily;
        var wildcard = _bound.Equals(IPAddress.Any) || _bound.Equals(IPAddress.IPv6Any);
        var pick = Array.Find(found, a => a.Equals(_bound))
            ?? (wildcard ? Array.Find(found, a => a.AddressFamily == family && !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any)) : null);
        if (pick is null)
        {
            LogNameUnresolved(log, _name!, wildcard
                ? $"no {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address among {found.Length}"
                : $"not {_bound} (the SIP socket's address) among {found.Length} addresses");
            return;
        }

        var own = new IPEndPoint(pick, _port);
        if (!own.Equals(nodes.Own))
        {
            // The hop Route of bindings shared from now on names the new address; those shared before it are shared again
            // at their phones' next REGISTER (docs/scale-out.md, "A node known by a name").
            nodes.Own = own;
            LogNameResolved(log, _name!, own);
        }
    }

    private static bool TrySplit(string? sentBy, out string host, out int port)
    {
        host = "";
        port = 5060;
        if (string.IsNullOrEmpty(sentBy))
        {
            return false;
        }

        // host:port, [v6]:port, or a bare host (RFC 3261 section 18.2.1: the port defaults to 5060).
        var colon = sentBy.LastIndexOf(':');
        var close = sentBy.LastIndexOf(']');
        if (colon > close && colon > 0 && (close >= 0 || sentBy.IndexOf(':') == colon))
        {
            host = sentBy[..colon];
            if (!int.TryParse(sentBy.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                return false;
            }
        }
        else
        {
            host = sentBy;
        }

        host = host.Trim('[', ']');
        return host.Length > 0;
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        await directory.AnnounceAsync(nodes.Own!, Lifetime, ct);
        nodes.Replace(await directory.ListAsync(ct));
    }

    /// <summary>
    /// Withdraws the node, waiting for the store at most <see cref="WithdrawWait"/>: with Redis gone, the client's own
    /// timeout (5 s) would hold the stop that long, and an announcement left behind expires after <see cref="Lifetime"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
            try
            {
                await directory.WithdrawAsync().WaitAsync(WithdrawWait, time);
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException or ObjectDisposedException)
            {
                LogRefreshFailed(log, e.Message);
            }
        }

        _stopping.Dispose();
    }


    [LoggerMessage(EventId = 7027, Level = LogLevel.Information, Message = "In the cluster's node list as {Address}; {Nodes} nodes known")]
    private static partial void LogAnnounced(ILogger logger, IPEndPoint address, int nodes);

    [LoggerMessage(EventId = 7028, Level = LogLevel.Warning, Message = "SIP sent-by {SentBy} names no address: other nodes cannot reach this node's TCP, TLS and WebSocket phones")]
    private static partial void LogNoAddress(ILogger logger, string sentBy);

    [LoggerMessage(EventId = 7029, Level = LogLevel.Warning, Message = "The cluster's node list could not be refreshed ({Error}); kept as it was")]
    private static partial void LogRefreshFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 7043, Level = LogLevel.Information, Message = "SIP sent-by name {Name} resolves to {Address}: the other nodes reach this node's hop there")]
    private static partial void LogNameResolved(ILogger logger, string name, IPEndPoint address);

    [LoggerMessage(EventId = 7044, Level = LogLevel.Warning, Message = "SIP sent-by name {Name} did not resolve ({Error}); the node's address stays as it was")]
    private static partial void LogNameUnresolved(ILogger logger, string name, string error);
}
