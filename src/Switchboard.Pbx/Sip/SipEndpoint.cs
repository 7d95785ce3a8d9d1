using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Sip;

/// <summary>
/// The PBX's SIP endpoint: the transaction layer and the core of RFC 3261 section 8 around it. One loop owns the
/// transaction layer; transports, call legs and the heartbeat only post inputs to it. Received bytes are parsed
/// here; a malformed request gets 400 with the reason, anything else malformed is dropped and counted.
/// REGISTER goes to the registrar, new INVITEs (once authenticated) to the call engine, in-dialog requests to the
/// leg that owns the Call-ID.
/// </summary>
public sealed partial class SipEndpoint : ISipReceiver, IAsyncDisposable
{
    private readonly Channel<Input> _inputs = Channel.CreateUnbounded<Input>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SipTransactionLayer _transactions;
    private readonly Dictionary<SipTransaction, ClientOwner> _clientOwners = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<SipTransaction, SipFlow> _serverFlows = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<(string CallId, string LocalTag), ISipDialogHandler> _dialogs = new();
    private readonly Dictionary<(string CallId, uint CSeq), PendingOk> _pendingOks = [];
    private readonly ISipTransport _transport;
    private readonly ISipRegistrar _registrar;
    private readonly ISipAuthenticator _authenticator;
    private readonly ISipLocations _locations;
    private readonly SipEndpointOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private ISipCallAcceptor? _calls;
    private ITimer? _heartbeat;
    private Task _loop = Task.CompletedTask;
    private long _received;
    private long _dropped;
    private long _badRequests;
    private long _sent;
    private long _sendFailures;

    public SipEndpoint(ISipTransport transport, ISipRegistrar registrar, ISipAuthenticator authenticator, ISipLocations locations,
        SipEndpointOptions options, TimeProvider time, ILogger<SipEndpoint> log)
    {
        _transport = transport;
        _registrar = registrar;
        _authenticator = authenticator;
        _locations = locations;
        _options = options;
        _time = time;
        _log = log;
        _transactions = new SipTransactionLayer(options.Timers);
    }

    public ISipTransport Transport => _transport;

    /// <summary>Tells which trunk, if any, an INVITE's flow comes from (set at start-up when trunks exist).</summary>
    public Func<SipFlow, Trunks.Trunk?>? TrunkSource { get; set; }

    public SipTimerSettings Timers => _options.Timers;

    public string Product => _options.Product;

    public SipEndpointCounters Counters => new(
        Interlocked.Read(ref _received), Interlocked.Read(ref _dropped), Interlocked.Read(ref _badRequests),
        Interlocked.Read(ref _sent), Interlocked.Read(ref _sendFailures),
        _transactions.ClientCount, _transactions.ServerCount, _dialogs.Count);

    /// <summary>Starts the loop and the heartbeat; new INVITEs go to <paramref name="calls"/>.</summary>
    public void Start(ISipCallAcceptor calls)
    {
        _calls = calls;
        _loop = Task.Run(RunAsync);
        _heartbeat = _time.CreateTimer(_ => _inputs.Writer.TryWrite(Input.Tick), null, _options.Heartbeat, _options.Heartbeat);
    }

    public void OnReceived(in SipFlow flow, ReadOnlySpan<byte> message)
    {
        Interlocked.Increment(ref _received);
        _inputs.Writer.TryWrite(new Input(InputKind.Received, flow, Bytes: message.ToArray()));
    }

    public void OnFlowClosed(in SipFlow flow)
    {
        _locations.OnFlowClosed(flow);
    }

    /// <summary>Starts a client transaction for <paramref name="request"/> on <paramref name="flow"/>; responses go to <paramref name="owner"/>.</summary>
    public void SendRequest(SipRequest request, SipFlow flow, ISipClientHandler owner) =>
        _inputs.Writer.TryWrite(new Input(InputKind.SendRequest, flow, Message: request, Owner: owner));

    /// <summary>Hands a response to its server transaction (a 2xx to an INVITE over UDP is also retransmitted until the ACK: RFC 3261 section 13.3.1.4).</summary>
    public void SendResponse(SipServerTransaction transaction, SipResponse response) =>
        _inputs.Writer.TryWrite(new Input(InputKind.SendResponse, default, Message: response, Transaction: transaction));

    /// <summary>Sends a message outside any transaction: the ACK for a 2xx (RFC 3261 section 13.2.2.4).</summary>
    public void SendStateless(SipMessage message, SipFlow flow) =>
        _inputs.Writer.TryWrite(new Input(InputKind.SendStateless, flow, Message: message));

    /// <summary>
    /// Requests for the dialog with this Call-ID and our <paramref name="localTag"/> go to <paramref name="handler"/> until
    /// <see cref="Unbind"/>. The tag matters: a call that loops back through a carrier reaches us twice with one
    /// Call-ID (RFC 3261 section 12: a dialog is Call-ID plus both tags). A UAS leg binds the empty tag too, for the
    /// CANCEL of its INVITE, which carries no To tag.
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

    public async ValueTask DisposeAsync()
    {
        if (_heartbeat is not null)
        {
            await _heartbeat.DisposeAsync();
        }

        _inputs.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _loop;
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var input in _inputs.Reader.ReadAllAsync(_stopping.Token))
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
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Handle(in Input input)
    {
        var now = _time.GetUtcNow();
        switch (input.Kind)
        {
            case InputKind.Received:
                OnBytes(input.Flow, input.Bytes!, now);
                break;
            case InputKind.SendRequest:
                StartClient((SipRequest)input.Message!, input.Flow, input.Owner!, now);
                break;
            case InputKind.SendResponse:
                Respond(input.Transaction!, (SipResponse)input.Message!, now);
                break;
            case InputKind.SendStateless:
                Send(input.Flow, input.Message!);
                break;
            case InputKind.Tick:
                Execute(_transactions.Tick(now), now);
                RetransmitOks(now);
                break;
        }
    }

    private void StartClient(SipRequest request, SipFlow flow, ISipClientHandler owner, DateTimeOffset now)
    {
        var (tx, actions) = _transactions.StartClient(request, flow.IsReliable, now);
        _clientOwners[tx] = new ClientOwner(owner, flow);
        Execute(actions, now);
    }

    private void Respond(SipServerTransaction tx, SipResponse response, DateTimeOffset now)
    {
        if (response.IsSuccess && tx.Request.Method == SipMethod.Invite && _serverFlows.TryGetValue(tx, out var flow) && !flow.IsReliable)
        {
            _pendingOks[(response.CallId, response.CSeq.Number)] = new PendingOk(response, flow, now + Timers.T1, Timers.T1, now + Timers.TransactionTimeout);
        }

        Execute(_transactions.SendResponse(tx, response, now), now);
    }

    /// <summary>RFC 3261 section 13.3.1.4: the UAS core resends a 2xx at T1, 2*T1, ... up to T2 until the ACK, for 64*T1.</summary>
    private void RetransmitOks(DateTimeOffset now)
    {
        if (_pendingOks.Count == 0)
        {
            return;
        }

        foreach (var (key, ok) in _pendingOks.ToArray())
        {
            if (now >= ok.GiveUpAt)
            {
                _pendingOks.Remove(key);
            }
            else if (now >= ok.NextAt)
            {
                Send(ok.Flow, ok.Response);
                var interval = ok.Interval * 2 < Timers.T2 ? ok.Interval * 2 : Timers.T2;
                _pendingOks[key] = ok with { NextAt = now + interval, Interval = interval };
            }
        }
    }

    private void Execute(IReadOnlyList<TransactionAction> actions, DateTimeOffset now)
    {
        foreach (var action in actions)
        {
            switch (action.Kind)
            {
                case TransactionActionKind.Send:
                    Send(FlowOf(action.Transaction), action.Message!);
                    break;
                case TransactionActionKind.DeliverToTu when action.Transaction is SipClientTransaction client:
                    Deliver(client, (SipResponse)action.Message!);
                    break;
                case TransactionActionKind.DeliverToTu when action.Message is SipRequest request:
                    OnRequest((SipServerTransaction)action.Transaction, request, FlowOf(action.Transaction), now);
                    break;
                case TransactionActionKind.TimedOut or TransactionActionKind.TransportFailed
                    when action.Transaction is SipClientTransaction client && action.Message is SipResponse synthesized:
                    Deliver(client, synthesized);
                    break;
                case TransactionActionKind.Terminated:
                    _clientOwners.Remove(action.Transaction);
                    _serverFlows.Remove(action.Transaction);
                    break;
            }
        }
    }

    private void Deliver(SipClientTransaction tx, SipResponse response)
    {
        if (_clientOwners.TryGetValue(tx, out var owner))
        {
            owner.Handler.OnResponse(tx, response);
        }
    }

    private SipFlow FlowOf(SipTransaction tx) =>
        tx is SipClientTransaction && _clientOwners.TryGetValue(tx, out var owner) ? owner.Flow : _serverFlows.GetValueOrDefault(tx);

    private void Send(SipFlow flow, SipMessage message)
    {
        if (_transport.TrySend(flow, message.Raw.Span))
        {
            Interlocked.Increment(ref _sent);
        }
        else
        {
            Interlocked.Increment(ref _sendFailures);
            LogSendFailed(_log, flow.Transport, flow.Remote.Port);
        }
    }

    private void OnBytes(SipFlow flow, byte[] bytes, DateTimeOffset now)
    {
        var parsed = SipParser.Parse(bytes.AsMemory(), null, flow.IsReliable ? SipTransportFraming.Stream : SipTransportFraming.Datagram);
        if (!parsed.IsSuccess)
        {
            RefuseMalformed(flow, parsed);
            return;
        }

        var message = parsed.Message!;
        if (message is SipRequest request)
        {
            // RFC 3581 / RFC 3261 section 18.2.1: note where the request really came from.
            message = SipTransportRules.StampReceived(request, flow.Remote.Address, flow.Remote.Port);
        }

        var dispatch = _transactions.ReceiveFromNetwork(message, flow.IsReliable, now);
        switch (dispatch.Kind)
        {
            case NetworkDispatchKind.NewServerTransaction:
                _serverFlows[dispatch.Transaction!] = flow;
                if (dispatch.Transaction!.Request.Method == SipMethod.Cancel)
                {
                    OnCancel((SipServerTransaction)dispatch.Transaction, dispatch.CancelTarget, now);
                    Execute(dispatch.Actions.Where(a => a.Kind != TransactionActionKind.DeliverToTu).ToArray(), now);
                    return;
                }

                break;
            case NetworkDispatchKind.UnmatchedAck:
                OnAck((SipRequest)message, flow);
                return;
            case NetworkDispatchKind.StrayResponse:
                OnStrayResponse((SipResponse)message, flow);
                return;
        }

        Execute(dispatch.Actions, now);
    }

    private void RefuseMalformed(SipFlow flow, SipParseResult parsed)
    {
        if (parsed.TryCreateErrorResponse(SipIds.NewTag(), out var response))
        {
            // Section 16.3 / 21.4.1: a request we can answer gets 400 with the reason, so its sender learns why.
            Interlocked.Increment(ref _badRequests);
            LogMalformed(_log, parsed.Error, parsed.Detail, flow.Remote.Port);
            Send(flow, response);
            return;
        }

        // Not even a request we could answer: drop it and count it.
        Interlocked.Increment(ref _dropped);
        LogDropped(_log, parsed.Error, parsed.Detail);
    }

    private void OnAck(SipRequest ack, SipFlow flow)
    {
        _pendingOks.Remove((ack.CallId, ack.CSeq.Number));
        if (_dialogs.TryGetValue((ack.CallId, ack.To.Tag ?? ""), out var handler))
        {
            handler.OnRequest(null, ack, flow);
        }
    }

    private void OnStrayResponse(SipResponse response, SipFlow flow)
    {
        if (response.IsSuccess && response.CSeq.Method == SipMethod.Invite && _dialogs.TryGetValue((response.CallId, response.From.Tag ?? ""), out var handler))
        {
            handler.OnStrayResponse(response, flow);
        }
    }

    private void OnCancel(SipServerTransaction cancel, InviteServerTransaction? target, DateTimeOffset now)
    {
        // RFC 3261 section 9.2: 200 to the CANCEL when it matched a transaction, 481 when it did not.
        var status = target is not null ? 200 : 481;
        Execute(_transactions.SendResponse(cancel, SipMessageFactory.CreateResponse(cancel.Request, status, null, SipIds.NewTag()).BuildResponse(), now), now);
        if (target is not null && target.State == SipTransactionState.Proceeding && _dialogs.TryGetValue((target.Request.CallId, ""), out var handler))
        {
            handler.OnCancel(target);
        }
    }

    private readonly record struct ClientOwner(ISipClientHandler Handler, SipFlow Flow);

    private readonly record struct PendingOk(SipResponse Response, SipFlow Flow, DateTimeOffset NextAt, TimeSpan Interval, DateTimeOffset GiveUpAt);

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
