using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transactions;

/// <summary>T1, T2 and T4 of RFC 3261 section 17.1.1.1 and table 4, and the timers derived from them.</summary>
public sealed record SipTimerSettings
{
    public static readonly SipTimerSettings Default = new();

    /// <summary>RTT estimate, 500 ms by default.</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Maximum retransmit interval for non-INVITE requests and INVITE responses, 4 s by default.</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Maximum duration a message remains in the network, 5 s by default.</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>64*T1: timers B, F, H, J (unreliable), L and M.</summary>
    public TimeSpan TransactionTimeout => T1 * 64;

    /// <summary>Timer D on unreliable transports: at least 32 s (section 17.1.1.2).</summary>
    public TimeSpan TimerDUnreliable { get; init; } = TimeSpan.FromSeconds(32);

    /// <summary>Timer D: <see cref="TimerDUnreliable"/> on unreliable transports, 0 on reliable ones.</summary>
    public TimeSpan TimerD(bool reliable) => reliable ? TimeSpan.Zero : TimerDUnreliable;
}

/// <summary>Transaction timers of RFC 3261 table 4 plus L and M of RFC 6026.</summary>
public enum SipTimer
{
    A,
    B,
    D,
    E,
    F,
    G,
    H,
    I,
    J,
    K,
    L,
    M,
}

public enum SipTransactionState
{
    Calling,
    Trying,
    Proceeding,
    Completed,
    Confirmed,

    /// <summary>RFC 6026 section 7.1 and 7.2: after a 2xx to an INVITE.</summary>
    Accepted,
    Terminated,
}

public enum TransactionInputKind
{
    /// <summary>The TU hands a response (server) to send.</summary>
    FromTransactionUser,

    /// <summary>A message matched to this transaction arrived from the network.</summary>
    FromNetwork,

    TimerFired,

    /// <summary>The transport could not send (RFC 3261 section 17.1.4, 17.2.4).</summary>
    TransportError,
}

/// <summary>An input to a transaction state machine.</summary>
public readonly record struct TransactionInput(TransactionInputKind Kind, SipMessage? Message, SipTimer Timer)
{
    public static TransactionInput FromTu(SipMessage message) => new(TransactionInputKind.FromTransactionUser, message, default);

    public static TransactionInput FromNetwork(SipMessage message) => new(TransactionInputKind.FromNetwork, message, default);

    public static TransactionInput Fired(SipTimer timer) => new(TransactionInputKind.TimerFired, null, timer);

    public static TransactionInput TransportFailed() => new(TransactionInputKind.TransportError, null, default);
}

public enum TransactionActionKind
{
    /// <summary>Send <see cref="TransactionAction.Message"/> to the transport (request to its target, response per section 18.2.2).</summary>
    Send,

    /// <summary>Pass <see cref="TransactionAction.Message"/> up to the TU.</summary>
    DeliverToTu,

    /// <summary>Arm <see cref="TransactionAction.Timer"/> to fire at <see cref="TransactionAction.DueAt"/>.</summary>
    StartTimer,

    /// <summary>Timer B, F or H fired: the TU is told; for client transactions <see cref="TransactionAction.Message"/> is a synthesized 408.</summary>
    TimedOut,

    /// <summary>The transport failed; the TU is told (a client transaction carries a synthesized 503, section 8.1.3.1).</summary>
    TransportFailed,

    /// <summary>The transaction ended and can be forgotten.</summary>
    Terminated,
}

/// <summary>An output of a transaction state machine.</summary>
public readonly record struct TransactionAction(SipTransaction Transaction, TransactionActionKind Kind, SipMessage? Message, SipTimer Timer, DateTimeOffset DueAt)
{
    public override string ToString() => Kind switch
    {
        TransactionActionKind.StartTimer => $"StartTimer {Timer} at {DueAt:HH:mm:ss.fff}",
        _ when Message is SipResponse r => $"{Kind} {r.StatusCode}",
        _ when Message is SipRequest q => $"{Kind} {q.Method}",
        _ => Kind.ToString(),
    };
}

/// <summary>How transactions are told apart (RFC 3261 sections 17.1.3 and 17.2.3).</summary>
public readonly record struct TransactionKey(string Branch, string SentBy, string Method)
{
    /// <summary>Key of the server transaction a request belongs to: branch, sent-by and method, with ACK mapped to INVITE.</summary>
    public static TransactionKey ForServer(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var via = request.TopVia;
        var method = request.Method == SipMethod.Ack ? SipMethod.Invite.Name : request.Method.Name;
        var branch = via.HasRfc3261Branch ? via.Branch! : Rfc2543Branch(request);
        return new TransactionKey(branch, via.SentBy.ToLowerInvariant(), method);
    }

    /// <summary>Key of the client transaction a response belongs to: top Via branch and CSeq method.</summary>
    public static TransactionKey ForClient(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new TransactionKey(message.TopVia.Branch ?? "", "", message.CSeq.Method.Name);
    }

    /// <summary>Stand-in for requests from RFC 2543 elements without the magic cookie (section 17.2.3, simplified: To tag ignored).</summary>
    private static string Rfc2543Branch(SipRequest r) =>
        $"2543|{r.RequestUri}|{r.From.Tag}|{r.CallId}|{r.CSeq.Number}|{r.TopVia}";
}
