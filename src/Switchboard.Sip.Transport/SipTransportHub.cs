using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Transport;

/// <summary>
/// The socket adapters of the SIP core: one UDP socket, TCP and TLS listeners with outbound connects and connection
/// reuse, and WebSocket connections handed over by the web layer (RFC 7118). Every connection has a monotonic id,
/// one read loop and one writer loop draining a bounded send queue; idle connections are closed by a sweep on the
/// injected clock.
/// </summary>
public sealed partial class SipTransportHub : ISipTransport, ISipServerNames, ISipConnectionHost, IAsyncDisposable
{
    private readonly SipTransportOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SipStreamFramer _framer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, SipConnection> _connections = new();
    private readonly ConcurrentDictionary<(SipTransportKind Kind, IPEndPoint Remote), SipConnection> _byRemote = new();
    private readonly List<Task> _loops = [];
    private readonly ConcurrentDictionary<IPEndPoint, string> _serverNames = new();
    private ISipReceiver? _receiver;
    private ITimer? _idleSweep;
    private long _lastConnectionId;
    private volatile string? _wsSentBy;
    private volatile string? _wssSentBy;

    public SipTransportHub(SipTransportOptions options, ILogger<SipTransportHub>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TlsPort is not null && options.TlsCertificate is null)
        {
            throw new ArgumentException("A TLS port needs a TlsCertificate.", nameof(options));
        }
        _options = options;
        _logger = logger ?? NullLogger<SipTransportHub>.Instance;
        _time = time ?? TimeProvider.System;
        _framer = new SipStreamFramer(new SipParserOptions { MaxMessageSize = options.MaxMessageSize });
        _wsSentBy = options.WsSentBy;
        _wssSentBy = options.WssSentBy;
    }

    public SipTransportCounters Counters { get; } = new();

    /// <summary>The address the listeners are bound to (a wildcard when bound to every interface).</summary>
    public IPAddress BindAddress => _options.BindAddress;

    /// <summary>The bound UDP port once started; null when UDP is disabled.</summary>
    public int? UdpPort { get; private set; }

    public int? TcpPort { get; private set; }

    public int? TlsPort { get; private set; }

    private ISipReceiver Receiver => _receiver ?? throw new InvalidOperationException("Start the hub first.");

    /// <summary>Binds every enabled transport and starts the loops; the ports are known when this returns.</summary>
    public Task StartAsync(ISipReceiver receiver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        if (_receiver is not null) throw new InvalidOperationException("The hub is started already.");
        cancellationToken.ThrowIfCancellationRequested();
        _receiver = receiver;
        if (_options.UdpPort is { } udp) UdpPort = StartUdp(udp);
        if (_options.TcpPort is { } tcp) TcpPort = StartListener(SipTransportKind.Tcp, tcp);
        if (_options.TlsPort is { } tls) TlsPort = StartListener(SipTransportKind.Tls, tls);
        var period = TimeSpan.FromTicks(Math.Max(_options.IdleTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond));
        _idleSweep = _time.CreateTimer(_ => CloseIdleConnections(), null, period, period);
        return Task.CompletedTask;
    }

    /// <summary>Sets the sent-by the web layer knows for WebSocket flows (its public host name, or an RFC 7118 <c>.invalid</c> name).</summary>
    public void SetWebSocketSentBy(SipTransportKind transport, string sentBy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sentBy);
        switch (transport)
        {
            case SipTransportKind.Ws:
                _wsSentBy = sentBy;
                break;
            case SipTransportKind.Wss:
                _wssSentBy = sentBy;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(transport), transport, "Only WS and WSS have a web-layer sent-by.");
        }
    }

    public bool TrySend(in SipFlow flow, ReadOnlySpan<byte> message) => flow.Transport switch
    {
        SipTransportKind.Udp => TrySendUdp(flow.Remote, message),
        SipTransportKind.Tcp or SipTransportKind.Tls => TrySendStream(flow, message),
        _ => TrySendOnConnection(flow, message),
    };

    /// <summary>The host name a TLS connection to <paramref name="remote"/> must find in the server's certificate (a trunk's proxy name).</summary>
    public void SetServerName(IPEndPoint remote, string hostName)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentException.ThrowIfNullOrWhiteSpace(hostName);
        _serverNames[remote] = hostName;
    }

    public SipFlow? CreateFlow(SipTransportKind transport, IPEndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        switch (transport)
        {
            case SipTransportKind.Udp:
                return _udpLocal is null ? null : new SipFlow(transport, _udpLocal, remote);
            case SipTransportKind.Tcp or SipTransportKind.Tls:
                if (!StreamEnabled(transport)) return null;
                return FindOpen(transport, remote)?.Flow ?? new SipFlow(transport, new IPEndPoint(_options.BindAddress, 0), remote);
            default:
                return FindOpen(transport, remote)?.Flow;
        }
    }

    public string? SentBy(SipTransportKind transport) => transport switch
    {
        SipTransportKind.Udp => HostPort(UdpPort),
        SipTransportKind.Tcp => HostPort(TcpPort),
        SipTransportKind.Tls => HostPort(TlsPort),
        SipTransportKind.Ws => _wsSentBy,
        _ => _wssSentBy,
    };

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_idleSweep is not null) await _idleSweep.DisposeAsync().ConfigureAwait(false);
        _udp?.Dispose();
        foreach (var listener in _listeners) listener.Dispose();
        foreach (var connection in _connections.Values) connection.Close(SipConnectionCloseReason.Shutdown);
        var pending = _loops.Concat(_connections.Values.Select(c => c.Completion)).ToArray();
        try
        {
            // A wall-clock bound on shutdown, not a protocol timer: it must hold even when tests drive a fake clock.
            await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
            // Loops end by cancellation or by their socket being disposed under them.
        }
        _stopping.Dispose();
    }

    void ISipConnectionHost.Deliver(SipConnection connection, ReadOnlySpan<byte> message)
    {
        SipTransportLog.Received(_logger, connection.Kind, message.Length, connection.Remote, connection.Id);
        Receiver.OnReceived(connection.Flow, message);
    }

    void ISipConnectionHost.KeepAliveReceived(SipConnection connection)
    {
        Counters.KeepAlive();
        SipTransportLog.KeepAlive(_logger, connection.Kind, connection.Remote, connection.Id);
    }

    void ISipConnectionHost.FrameRejected(SipConnection connection, SipParseError error)
    {
        Counters.FrameRejected();
        SipTransportLog.FramingError(_logger, connection.Kind, connection.Id, connection.Remote, error);
    }

    private string? HostPort(int? port)
    {
        if (port is null) return null;
        var host = _options.AdvertisedHost ?? _options.BindAddress.ToString();
        // An IPv6 reference is bracketed in sent-by and hostport (RFC 3261 section 25.1).
        return host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";
    }

    private SipConnection? FindOpen(SipTransportKind transport, IPEndPoint remote) =>
        _byRemote.TryGetValue((transport, remote), out var connection) && !connection.IsClosed ? connection : null;

    /// <summary>
    /// Counts and registers a new connection by id unless the limit is reached; the caller runs it when this says true.
    /// Registering by remote address is the caller's: inbound ones replace, outbound ones race (see TrySendStream).
    /// </summary>
    private bool TryRegister(SipConnection connection)
    {
        if (Counters.Opening() > _options.MaxConnections)
        {
            Counters.Closed();
            SipTransportLog.ConnectionRefused(_logger, connection.Kind, connection.Remote, _options.MaxConnections);
            return false;
        }
        _connections[connection.Id] = connection;
        if (connection.Inbound) Counters.ConnectionAccepted();
        else Counters.ConnectionOpened();
        SipTransportLog.ConnectionOpened(_logger, connection.Kind, connection.Id, connection.Remote, connection.Inbound);
        return true;
    }

    /// <summary>Forgets a connection whose loops have ended, and tells the SIP endpoint its flow is gone.</summary>
    private void Unregister(SipConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        _byRemote.TryRemove(new KeyValuePair<(SipTransportKind, IPEndPoint), SipConnection>((connection.Kind, connection.Remote), connection));
        Counters.Closed();
        SipTransportLog.ConnectionClosed(_logger, connection.Kind, connection.Id, connection.Remote, connection.CloseReason);
        connection.Dispose();
        Receiver.OnFlowClosed(connection.Flow);
    }

    private long NextConnectionId() => Interlocked.Increment(ref _lastConnectionId);

    private bool TrySendOnConnection(in SipFlow flow, ReadOnlySpan<byte> message)
    {
        if (!_connections.TryGetValue(flow.ConnectionId, out var connection) || connection.Kind != flow.Transport || connection.IsClosed)
        {
            SipTransportLog.ConnectionGone(_logger, flow.Transport, flow.ConnectionId);
            return false;
        }
        return TryEnqueue(connection, message);
    }

    private bool TryEnqueue(SipConnection connection, ReadOnlySpan<byte> message)
    {
        if (connection.TryEnqueue(message)) return true;
        if (!connection.IsClosed) SipTransportLog.SendQueueFull(_logger, connection.Kind, connection.Id);
        return false;
    }

    private void CloseIdleConnections()
    {
        var now = _time.GetTimestamp();
        foreach (var connection in _connections.Values)
        {
            if (connection.IsIdleAt(now, _options.IdleTimeout)) connection.Close(SipConnectionCloseReason.Idle);
        }
    }
}
