using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transactions;

public enum NetworkDispatchKind
{
    /// <summary>The message belonged to an existing transaction; see the actions.</summary>
    Matched,

    /// <summary>A new request created a server transaction; its actions pass the request to the TU.</summary>
    NewServerTransaction,

    /// <summary>An ACK matching no INVITE server transaction: the ACK for a 2xx, for the TU/dialog layer (section 17.2.3, RFC 6026).</summary>
    UnmatchedAck,

    /// <summary>A response matching no client transaction (e.g. a 2xx retransmission after Timer M): for the TU core (section 18.1.2).</summary>
    StrayResponse,
}

/// <summary>What <see cref="SipTransactionLayer.ReceiveFromNetwork"/> did with a message.</summary>
public sealed record NetworkDispatch(
    NetworkDispatchKind Kind,
    SipTransaction? Transaction,
    IReadOnlyList<TransactionAction> Actions,
    InviteServerTransaction? CancelTarget = null);

/// <summary>
/// Keeps the transactions of one SIP endpoint, matches incoming messages to them (RFC 3261 sections 17.1.3 and 17.2.3),
/// fires due timers on <see cref="Tick"/> and forgets terminated ones. Single-threaded: call it from one loop.
/// </summary>
public sealed class SipTransactionLayer
{
    private readonly Dictionary<TransactionKey, SipClientTransaction> _clients = [];
    private readonly Dictionary<TransactionKey, SipServerTransaction> _servers = [];

    /// <summary>
    /// Every armed timer, earliest first: a tick pops only what is due instead of visiting every live transaction
    /// (over UDP a finished transaction lingers 32 s in Timer D or K, so there are thousands at a few hundred calls/s).
    /// Stopped timers and terminated transactions leave stale entries that pop as no-ops.
    /// </summary>
    private readonly PriorityQueue<SipTransaction, DateTimeOffset> _timers = new();

    private readonly ILogger _logger;

    public SipTransactionLayer(SipTimerSettings? timers = null, ILogger<SipTransactionLayer>? logger = null)
    {
        Timers = timers ?? SipTimerSettings.Default;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public SipTimerSettings Timers { get; }

    public int ClientCount => _clients.Count;

    public int ServerCount => _servers.Count;

    /// <summary>Starts a client transaction for a request from the TU (any method but ACK, which has none).</summary>
    public (SipClientTransaction Transaction, IReadOnlyList<TransactionAction> Actions) StartClient(SipRequest request, bool reliable, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method == SipMethod.Ack) throw new ArgumentException("ACK has no client transaction; send it directly.", nameof(request));
        SipClientTransaction tx = request.Method == SipMethod.Invite
            ? new InviteClientTransaction(request, reliable, Timers)
            : new NonInviteClientTransaction(request, reliable, Timers);
        if (!_clients.TryAdd(tx.Key, tx)) throw new InvalidOperationException($"A client transaction with branch {tx.Key.Branch} exists.");
        SipTransactionLog.Created(_logger, "client", tx.Key.Method, tx.Key.Branch);
        return (tx, Track(tx.Start(now)));
    }

    /// <summary>Routes a parsed message from the network to its transaction, creating server transactions for new requests.</summary>
    public NetworkDispatch ReceiveFromNetwork(SipMessage message, bool reliable, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is SipResponse response)
        {
            return _clients.TryGetValue(TransactionKey.ForClient(response), out var client)
                ? new NetworkDispatch(NetworkDispatchKind.Matched, client, Track(client.Handle(TransactionInput.FromNetwork(response), now)))
                : Unmatched(NetworkDispatchKind.StrayResponse, response);
        }
        var request = (SipRequest)message;
        var key = TransactionKey.ForServer(request);
        if (_servers.TryGetValue(key, out var server))
        {
            return new NetworkDispatch(NetworkDispatchKind.Matched, server, Track(server.Handle(TransactionInput.FromNetwork(request), now)));
        }
        if (request.Method == SipMethod.Ack)
        {
            return Unmatched(NetworkDispatchKind.UnmatchedAck, request);
        }
        SipServerTransaction tx = request.Method == SipMethod.Invite
            ? new InviteServerTransaction(request, reliable, Timers)
            : new NonInviteServerTransaction(request, reliable, Timers);
        _servers.Add(key, tx);
        SipTransactionLog.Created(_logger, "server", key.Method, key.Branch);
        InviteServerTransaction? cancelTarget = null;
        if (request.Method == SipMethod.Cancel)
        {
            // 9.2: the CANCEL matches the INVITE server transaction by the same rule, with method INVITE.
            _servers.TryGetValue(key with { Method = SipMethod.Invite.Name }, out var target);
            cancelTarget = target as InviteServerTransaction;
        }
        return new NetworkDispatch(NetworkDispatchKind.NewServerTransaction, tx, Track(tx.Start(now)), cancelTarget);
    }

    /// <summary>Hands a response from the TU to a server transaction.</summary>
    public IReadOnlyList<TransactionAction> SendResponse(SipServerTransaction transaction, SipResponse response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return Track(transaction.SendResponse(response, now));
    }

    /// <summary>The transport failed to send for this transaction.</summary>
    public IReadOnlyList<TransactionAction> ReportTransportError(SipTransaction transaction, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return Track(transaction.Handle(TransactionInput.TransportFailed(), now));
    }

    /// <summary>Fires every due timer of every transaction.</summary>
    public IReadOnlyList<TransactionAction> Tick(DateTimeOffset now)
    {
        List<TransactionAction>? actions = null;
        while (_timers.TryPeek(out var tx, out var due) && due <= now)
        {
            _timers.Dequeue();
            if (tx.State == SipTransactionState.Terminated) continue;
            var fired = tx.FireDueTimers(now);
            if (fired.Count > 0) (actions ??= []).AddRange(fired);
        }
        return actions is null ? [] : Track(actions);
    }

    /// <summary>When <see cref="Tick"/> next has something to do.</summary>
    public DateTimeOffset? NextWakeUp
    {
        get
        {
            while (_timers.TryPeek(out var tx, out var due))
            {
                if (tx.State != SipTransactionState.Terminated && tx.NextDue is not null) return due;
                _timers.Dequeue();
            }
            return null;
        }
    }

    public SipServerTransaction? FindServer(TransactionKey key) => _servers.GetValueOrDefault(key);

    public SipClientTransaction? FindClient(TransactionKey key) => _clients.GetValueOrDefault(key);

    private NetworkDispatch Unmatched(NetworkDispatchKind kind, SipMessage message)
    {
        SipTransactionLog.Unmatched(_logger, kind, message.CSeq.Method.Name, message.TopVia.Branch ?? "");
        return new NetworkDispatch(kind, null, []);
    }

    private IReadOnlyList<TransactionAction> Track(IReadOnlyList<TransactionAction> actions)
    {
        // Indexed, not foreach: foreach over the interface boxes the list's enumerator, once per input (about 1 KB a call).
        for (var i = 0; i < actions.Count; i++)
        {
            var a = actions[i];
            if (a.Kind == TransactionActionKind.StartTimer) _timers.Enqueue(a.Transaction, a.DueAt);
            if (a.Kind == TransactionActionKind.TimedOut) SipTransactionLog.TimedOut(_logger, a.Transaction.Key.Method, a.Transaction.Key.Branch);
            if (a.Kind != TransactionActionKind.Terminated) continue;
            SipTransactionLog.Terminated(_logger, a.Transaction.Key.Method, a.Transaction.Key.Branch);
            if (a.Transaction is SipClientTransaction c) _clients.Remove(c.Key);
            else if (a.Transaction is SipServerTransaction s) _servers.Remove(s.Key);
        }
        return actions;
    }
}
