using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Shards;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;
using Switchboard.Sip.UserAgent;

namespace Switchboard.Pbx.Sip;

/// <summary>
/// The PBX's SIP endpoint: the I/O shell around <see cref="SipUserAgentCore"/> (the RFC 3261 user-agent core, sans-IO,
/// in Switchboard.Sip). One loop owns the core; transports, call legs and the heartbeat only post inputs to it.
/// The PBX's own decisions stay here: REGISTER goes to the registrar and a new INVITE, once authenticated, to the call
/// engine. Both read the directory, a cache that answers at once and reads the store on the thread pool when it must;
/// the awaits come back to the loop, so the core is only ever touched by the loop (a CANCEL that arrives while the
/// caller is still being checked finds its INVITE answered 487, and the call engine is then never asked to start it).
/// </summary>
public sealed partial class SipEndpoint : ISipReceiver, ISipUserAgentHost, IAsyncDisposable
{
    private readonly ConcurrentQueue<Input> _inputs = new();
    private readonly Action _drain;
    private readonly SipUserAgentCore _core;
    private readonly ConcurrentDictionary<(string CallId, string LocalTag), ISipDialogHandler> _dialogs = new();
    private readonly HashSet<Task> _handlers = [];
    private readonly ISipTransport _transport;
    private readonly ISipRegistrar _registrar;
    private readonly ISipAuthenticator _authenticator;
    private readonly ISipLocations _locations;
    private readonly SipEndpointOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private ISipCallAcceptor? _calls;
    private readonly MediaShard _loop;
    private ITimer? _heartbeat;

    /// <summary>When the tick is armed to fire; null when it is not (loop thread only).</summary>
    private DateTimeOffset? _tickArmedFor;

    private DateTimeOffset _lastTick = DateTimeOffset.MinValue;
    private long _ticks;
    private int _drainPosted;
    private volatile bool _stopped;
    private long _received;
    private long _dropped;
    private long _badRequests;
    private long _sent;
    private long _sendFailures;
    private int _clientTransactions;
    private int _serverTransactions;

    public SipEndpoint(ISipTransport transport, ISipRegistrar registrar, ISipAuthenticator authenticator, ISipLocations locations,
        SipEndpointOptions options, TimeProvider time, ILogger<SipEndpoint> log)
    {
        // The loop is a thread of its own with an epoll set (the shards' machinery), so the SIP UDP socket can be read
        // on it (see Loop) and posts from the calls' shards wake it through an eventfd, not through the thread pool.
        _loop = new MediaShard(0, UdpMediaNetwork.Instance, time, log, name: "sip-loop", bufferSize: 65536);
        _drain = Drain;
        _transport = transport;
        _registrar = registrar;
        _authenticator = authenticator;
        _locations = locations;
        _options = options;
        _time = time;
        _log = log;
        _core = new SipUserAgentCore(this, new SipUserAgentOptions
        {
            Timers = options.Timers,
            AllowedMethods = AllowedMethods,
            Product = options.Product,

            // A REFER outside a call's dialog has no call to transfer (RFC 3515 section 2.4.2): 481, as BYE and INFO get.
            DialogOnlyMethods = new HashSet<string>(StringComparer.Ordinal) { "BYE", "INFO", "REFER" },
        });
    }

    /// <summary>The methods we handle, for Allow (RFC 3261 section 20.5).</summary>
    public const string AllowedMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER, REFER";

    public ISipTransport Transport => _transport;

    /// <summary>Tells which trunk, if any, an INVITE's flow comes from (set at start-up when trunks exist).</summary>
    public Func<SipFlow, Trunks.Trunk?>? TrunkSource { get; set; }

    /// <summary>
    /// The hop between nodes (docs/scale-out.md, "Calls across nodes"): asked first for every message; null on a single
    /// node. Set before <see cref="Start"/>.
    /// </summary>
    public ISipRelay? Relay
    {
        get => _core.Relay;
        set => _core.Relay = value;
    }

    /// <summary>Signs the Route of a call sent through another node's hop; null on a single node.</summary>
    public Cluster.NodeHopKey? HopKey { get; set; }

    /// <summary>True once drain began: new calls are refused (the hop refuses new ones too).</summary>
    public bool RefusesNewRequests => _core.RefusesNewRequests;

    /// <summary>Per-source request limits applied before received bytes are copied (docs/security.md); null admits all.</summary>
    public SipFloodGate? FloodGate { get; set; }

    public SipTimerSettings Timers => _options.Timers;

    public string Product => _options.Product;

    /// <summary>The node drains: every new out-of-dialog request is answered 503 from now on (docs/scale-out.md, "Drain").</summary>
    public void RefuseNewRequests() => _core.RefusesNewRequests = true;

    public SipEndpointCounters Counters => new(
        Interlocked.Read(ref _received), Interlocked.Read(ref _dropped), Interlocked.Read(ref _badRequests),
        Interlocked.Read(ref _sent), Interlocked.Read(ref _sendFailures),
        Volatile.Read(ref _clientTransactions), Volatile.Read(ref _serverTransactions), _dialogs.Count, FloodGate?.Counters ?? default);

    /// <summary>Well-formed messages received (retransmissions included), by method and response class.</summary>
    public SipMessageTally Received => _core.Received;

    /// <summary>Messages handed to a transport, retransmissions included, by method and response class.</summary>
    public SipMessageTally Sent { get; } = new();

    /// <summary>True from <see cref="Start"/> until the endpoint is disposed: new requests have somewhere to go (/readyz).</summary>
    public bool IsRunning => _calls is not null && !_stopped && !_stopping.IsCancellationRequested;

    /// <summary>Registrar and authentication work running off the loop now (store reads whose answer has not come back yet).</summary>
    public int PendingStoreWork
    {
        get
        {
            lock (_handlers)
            {
                return _handlers.Count;
            }
        }
    }

    /// <summary>
    /// The endpoint's one thread. A program may register the SIP UDP socket on it (a shard member that reads it), so
    /// that a datagram is parsed and handled where it was read: <see cref="OnReceived"/> runs the core at once there.
    /// </summary>
    public MediaShard Loop => _loop;

    /// <summary>Makes the tick's timer (armed only when something is due, <see cref="ArmTick"/>); new INVITEs go to <paramref name="calls"/>.</summary>
    public void Start(ISipCallAcceptor calls)
    {
        _calls = calls;
        _heartbeat = _time.CreateTimer(_ => Enqueue(Input.Tick), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Times the core's timers were checked (the tick ran); read by tests.</summary>
    public long Ticks => Interlocked.Read(ref _ticks);

    /// <summary>
    /// Arms the one-shot tick for the core's earliest due timer, at least <see cref="SipEndpointOptions.Heartbeat"/>
    /// after the last tick; nothing due, nothing armed. Moved only when something is due sooner than it is armed for.
    /// Loop thread only, after every input (a message sent or received may start a timer).
    /// </summary>
    private void ArmTick(DateTimeOffset now)
    {
        if (_heartbeat is null || _core.NextWakeUp is not { } next)
        {
            return;
        }

        var earliest = _lastTick + _options.Heartbeat;
        var due = next < earliest ? earliest : next;
        if (_tickArmedFor is { } armed && armed <= due)
        {
            return;
        }

        _tickArmedFor = due;
        _heartbeat.Change(due > now ? due - now : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    public void OnReceived(in SipFlow flow, ReadOnlySpan<byte> message)
    {
        if (FloodGate?.Admit(flow, message) == false)
        {
            return;
        }

        Interlocked.Increment(ref _received);
        var input = new Input(InputKind.Received, flow, Bytes: message.ToArray());
        if (_loop.IsCurrent && _inputs.IsEmpty)
        {
            // Read on the loop itself and nothing queued before it: handle it here, no hand-over.
            HandleOne(input);
        }
        else
        {
            Enqueue(input);
        }
    }

    public void OnFlowClosed(in SipFlow flow)
    {
        _locations.OnFlowClosed(flow);
    }

    /// <summary>Starts a client transaction for <paramref name="request"/> on <paramref name="flow"/>; responses go to <paramref name="owner"/>.</summary>
    public void SendRequest(SipRequest request, SipFlow flow, ISipClientHandler owner) =>
        Enqueue(new Input(InputKind.SendRequest, flow, Message: request, Owner: owner));

    /// <summary>Hands a response to its server transaction (a 2xx to an INVITE over UDP is also retransmitted until the ACK: RFC 3261 section 13.3.1.4).</summary>
    public void SendResponse(SipServerTransaction transaction, SipResponse response) =>
        Enqueue(new Input(InputKind.SendResponse, default, Message: response, Transaction: transaction));

    /// <summary>Sends a message outside any transaction: the ACK for a 2xx (RFC 3261 section 13.2.2.4).</summary>
    public void SendStateless(SipMessage message, SipFlow flow) =>
        Enqueue(new Input(InputKind.SendStateless, flow, Message: message));

    /// <summary>
    /// Requests for the dialog with this Call-ID and our <paramref name="localTag"/> go to <paramref name="handler"/> until
    /// <see cref="Unbind"/>. The tag matters: a call that loops back through a carrier reaches us twice with one
    /// Call-ID (RFC 3261 section 12: a dialog is Call-ID plus both tags). A UAS leg binds the empty tag too, for the
    /// CANCEL of its INVITE, which carries no To tag. Any thread: a leg binds from its call's shard, and the binding
    /// must hold before the next input the loop reads.
    /// </summary>
    public void Bind(string callId, string localTag, ISipDialogHandler handler) => _dialogs[(callId, localTag)] = handler;

    public void Unbind(string callId, string localTag) => _dialogs.TryRemove((callId, localTag), out _);

    /// <summary>The Via value for a new request over <paramref name="flow"/>: our sent-by, a fresh branch, rport (RFC 3581).</summary>
    public string NewVia(SipFlow flow) =>
        SipVia.Format(flow.Transport.ViaToken(), _transport.SentBy(flow.Transport) ?? flow.Local.ToString(), SipIds.NewBranch(), rport: true);

    /// <summary>Our Contact URI for dialogs over <paramref name="flow"/>.</summary>
    public string ContactFor(SipFlow flow, string user)
    {
        var sentBy = _transport.SentBy(flow.Transport) ?? flow.Local.ToString();
        return flow.Transport == SipTransportKind.Udp
            ? $"<sip:{user}@{sentBy}>"
            : $"<sip:{user}@{sentBy};transport={flow.Transport.UriParameter()}>";
    }

    /// <summary>Stops the heartbeat and the loop, then waits for the registrar and authentication work still running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_heartbeat is not null)
        {
            await _heartbeat.DisposeAsync();
        }

        await _stopping.CancelAsync();
        await _loop.InvokeAsync(() =>
        {
            Drain();
            _stopped = true;
            return Task.CompletedTask;
        });
        await _loop.DisposeAsync();
        Task[] running;
        lock (_handlers)
        {
            running = [.. _handlers];
        }

        await Task.WhenAll(running);
        _stopping.Dispose();
    }

    /// <summary>Queues an input for the loop; the first input after a drain posts one drain to the loop's mailbox.</summary>
    private void Enqueue(in Input input)
    {
        if (_stopped)
        {
            return;
        }

        _inputs.Enqueue(input);
        if (Interlocked.Exchange(ref _drainPosted, 1) == 0)
        {
            _loop.Post(_drain);
        }
    }

    /// <summary>Handles what is queued now, in order. Loop thread only.</summary>
    private void Drain()
    {
        Volatile.Write(ref _drainPosted, 0);
        while (_inputs.TryDequeue(out var input))
        {
            HandleOne(input);
        }
    }

    private void HandleOne(in Input input)
    {
        try
        {
            Handle(input);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug handling one message must not stop the endpoint: log it and go on with the next.
            LogInputFailed(_log, ex, input.Kind);
        }

        Volatile.Write(ref _clientTransactions, _core.ClientTransactions);
        Volatile.Write(ref _serverTransactions, _core.ServerTransactions);
    }

    private void Handle(in Input input)
    {
        var now = _time.GetUtcNow();
        try
        {
            HandleAt(input, now);
        }
        finally
        {
            // Even when handling failed (HandleOne logs it): a tick taken and not re-armed would leave every timer
            // waiting for the next message.
            ArmTick(now);
        }
    }

    private void HandleAt(in Input input, DateTimeOffset now)
    {
        switch (input.Kind)
        {
            case InputKind.Received:
                _core.Receive(input.Bytes!, input.Flow, now);
                break;
            case InputKind.SendRequest:
                _core.SendRequest((SipRequest)input.Message!, input.Flow, input.Owner!, now);
                break;
            case InputKind.SendResponse:
                _core.SendResponse(input.Transaction!, (SipResponse)input.Message!, now);
                break;
            case InputKind.SendStateless:
                _core.SendStateless(input.Message!, input.Flow);
                break;
            case InputKind.Tick:
                _tickArmedFor = null;
                _lastTick = now;
                Interlocked.Increment(ref _ticks);
                _core.Tick(now);
                break;
        }
    }


    void ISipUserAgentHost.Send(in SipFlow flow, SipMessage message)
    {
        if (_transport.TrySend(flow, message.Raw.Span))
        {
            Interlocked.Increment(ref _sent);
            Sent.Count(message);
        }
        else
        {
            Interlocked.Increment(ref _sendFailures);
            LogSendFailed(_log, flow.Transport, flow.Remote.Port);
        }
    }

    ISipDialogHandler? ISipUserAgentHost.FindDialog(string callId, string localTag) => _dialogs.GetValueOrDefault((callId, localTag));

    void ISipUserAgentHost.OnMalformed(in SipFlow flow, SipParseResult parsed, bool answered)
    {
        if (answered)
        {
            Interlocked.Increment(ref _badRequests);
            LogMalformed(_log, parsed.Error, parsed.Detail, flow.Remote.Port);
        }
        else
        {
            Interlocked.Increment(ref _dropped);
            LogDropped(_log, parsed.Error, parsed.Detail);
        }
    }

    private enum InputKind
    {
        Received,
        SendRequest,
        SendResponse,
        SendStateless,
        Tick,
    }

    private readonly record struct Input(
        InputKind Kind,
        SipFlow Flow = default,
        byte[]? Bytes = null,
        SipMessage? Message = null,
        ISipClientHandler? Owner = null,
        SipServerTransaction? Transaction = null)
    {
        public static readonly Input Tick = new(InputKind.Tick);
    }
}
