using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.UserAgent;

/// <summary>
/// The user-agent core of RFC 3261 over the transaction layer, sans-IO: bytes and requests go in, and what to send
/// and whom to tell come out through <see cref="ISipUserAgentHost"/>. It parses (400 for a malformed request it can
/// answer, section 21.4.1), matches transactions (section 17), routes in-dialog requests to their leg (section 12.2.2:
/// 481 when none), applies the UAS checks of section 8.2 (483, 416, 405 with Allow), answers OPTIONS (section 11.2)
/// and CANCEL (section 9.2), resends a 2xx to an INVITE until its ACK (section 13.3.1.4), and hands only the requests
/// that need the application (a new INVITE, a REGISTER) to the host. Single-threaded: one loop calls every method.
/// </summary>
public sealed partial class SipUserAgentCore
{
    private readonly SipTransactionLayer _transactions;
    private readonly Dictionary<SipTransaction, ClientOwner> _clientOwners = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<SipTransaction, SipFlow> _serverFlows = new(ReferenceEqualityComparer.Instance);
    private readonly SipOkRetransmissions _oks;
    private readonly ISipUserAgentHost _host;
    private readonly SipUserAgentOptions _options;
    private bool _refusesNewRequests;

    public SipUserAgentCore(ISipUserAgentHost host, SipUserAgentOptions? options = null)
    {
        _host = host;
        _options = options ?? new SipUserAgentOptions();
        _transactions = new SipTransactionLayer(_options.Timers);
        _oks = new SipOkRetransmissions(_options.Timers);
    }

    public SipUserAgentOptions Options => _options;

    /// <summary>
    /// When set (from any thread), every new out-of-dialog request is answered 503 with Retry-After; dialogs and
    /// transactions already under way go on. How a node drains before it stops (docs/scale-out.md, "Drain").
    /// </summary>
    public bool RefusesNewRequests
    {
        get => Volatile.Read(ref _refusesNewRequests);
        set => Volatile.Write(ref _refusesNewRequests, value);
    }

    /// <summary>Asked first for every well-formed message (a node's hop between nodes, docs/scale-out.md); null relays nothing.</summary>
    public ISipRelay? Relay { get; set; }

    /// <summary>Well-formed messages received, retransmissions included, by method and response class (for metrics).</summary>
    public SipMessageTally Received { get; } = new();

    public int ClientTransactions => _transactions.ClientCount;

    public int ServerTransactions => _transactions.ServerCount;

    /// <summary>2xx responses still being resent while their ACK is awaited.</summary>
    public int PendingOks => _oks.Count;

    /// <summary>When <see cref="Tick"/> next has work: the earliest transaction timer or 2xx retransmission.</summary>
    public DateTimeOffset? NextWakeUp
    {
        get
        {
            var (a, b) = (_transactions.NextWakeUp, _oks.NextDue);
            return a is null ? b : b is null ? a : a < b ? a : b;
        }
    }

    /// <summary>One message off the wire: a datagram, or one frame a stream transport cut out.</summary>
    public void Receive(ReadOnlyMemory<byte> bytes, SipFlow flow, DateTimeOffset now)
    {
        var parsed = SipParser.Parse(bytes, null, flow.IsReliable ? SipTransportFraming.Stream : SipTransportFraming.Datagram);
        if (!parsed.IsSuccess)
        {
            RefuseMalformed(flow, parsed);
            return;
        }

        var message = parsed.Message!;
        Received.Count(message);
        if (message is SipRequest request)
        {
            // RFC 3581 / RFC 3261 section 18.2.1: note where the request really came from.
            message = SipTransportRules.StampReceived(request, flow.Remote.Address, flow.Remote.Port);
        }

        if (Relay?.TryRelay(message, flow) == true)
        {
            return;
        }

        var dispatch = _transactions.ReceiveFromNetwork(message, flow.IsReliable, now);
        switch (dispatch.Kind)
        {
            case NetworkDispatchKind.NewServerTransaction:
                _serverFlows[dispatch.Transaction!] = flow;
                if (dispatch.Transaction!.Method == SipMethod.Cancel)
                {
                    // Everything of the CANCEL's own transaction but handing it up: OnCancel does that instead.
                    Execute(dispatch.Actions, now, deliverRequests: false);
                    OnCancel((SipServerTransaction)dispatch.Transaction, dispatch.CancelTarget, now);
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

    /// <summary>Starts a client transaction for <paramref name="request"/> on <paramref name="flow"/>; responses go to <paramref name="owner"/>.</summary>
    public SipClientTransaction SendRequest(SipRequest request, SipFlow flow, ISipClientHandler owner, DateTimeOffset now)
    {
        var (tx, actions) = _transactions.StartClient(request, flow.IsReliable, now);
        _clientOwners[tx] = new ClientOwner(owner, flow);
        Execute(actions, now);
        return tx;
    }

    /// <summary>Answers a request through its server transaction; a 2xx to an INVITE over UDP is resent until the ACK (section 13.3.1.4).</summary>
    public void SendResponse(SipServerTransaction transaction, SipResponse response, DateTimeOffset now)
    {
        if (response.IsSuccess && transaction.Method == SipMethod.Invite
            && _serverFlows.TryGetValue(transaction, out var flow) && !flow.IsReliable)
        {
            _oks.Start(response, flow, now);
        }

        Execute(_transactions.SendResponse(transaction, response, now), now);
    }

    /// <summary>Sends a message outside any transaction: the ACK for a 2xx (section 13.2.2.4).</summary>
    public void SendStateless(SipMessage message, SipFlow flow) => _host.Send(flow, message);

    /// <summary>Fires due transaction timers and 2xx retransmissions.</summary>
    public void Tick(DateTimeOffset now)
    {
        Execute(_transactions.Tick(now), now);
        _oks.Tick(now, _host);
    }

    private void Execute(IReadOnlyList<TransactionAction> actions, DateTimeOffset now, bool deliverRequests = true)
    {
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            switch (action.Kind)
            {
                case TransactionActionKind.Send:
                    _host.Send(FlowOf(action.Transaction), action.Message!);
                    break;
                case TransactionActionKind.DeliverToTu when action.Transaction is SipClientTransaction client:
                    Deliver(client, (SipResponse)action.Message!);
                    break;
                case TransactionActionKind.DeliverToTu when action.Message is SipRequest request && deliverRequests:
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

    private void RefuseMalformed(SipFlow flow, SipParseResult parsed)
    {
        if (parsed.TryCreateErrorResponse(SipIds.NewTag(), out var response))
        {
            // Section 16.3 / 21.4.1: a request we can answer gets 400 with the reason, so its sender learns why.
            _host.OnMalformed(flow, parsed, answered: true);
            _host.Send(flow, response);
            return;
        }

        // Not even a request we could answer: dropped, and the host counts it.
        _host.OnMalformed(flow, parsed, answered: false);
    }

    private readonly record struct ClientOwner(ISipClientHandler Handler, SipFlow Flow);
}
