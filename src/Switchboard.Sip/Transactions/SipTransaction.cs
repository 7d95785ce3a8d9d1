using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transactions;

/// <summary>
/// A transaction state machine (RFC 3261 section 17, RFC 6026). It owns no timer and reads no clock:
/// <see cref="Handle"/> takes an input and the current time and returns actions (send, deliver, arm timer, end).
/// Timers it armed are tracked so that a stale "timer fired" input is ignored.
/// </summary>
public abstract class SipTransaction
{
    private static readonly List<TransactionAction> NoneYet = [];

    private ArmedTimers _armed;

    /// <summary>The actions of the input being handled; between inputs none, so a lingering transaction keeps no message through them.</summary>
    private List<TransactionAction> _out = NoneYet;

    private SipRequest? _request;

    /// <summary>What a lingering transaction resends: its final response (server) or the ACK for one (INVITE client).</summary>
    private SentBytes _resend;

    private protected SipTransaction(SipRequest request, bool reliable, SipTimerSettings timers)
    {
        _request = request ?? throw new ArgumentNullException(nameof(request));
        Method = request.Method;
        IsReliable = reliable;
        Timers = timers ?? throw new ArgumentNullException(nameof(timers));
    }

    /// <summary>
    /// The request that created the transaction, until the transaction has its final response and lingers (Completed,
    /// Confirmed, Accepted, then Terminated): null from then on, see <see cref="Linger"/>.
    /// </summary>
    public SipRequest? Request => _request;

    /// <summary>The method of the request that created the transaction, kept when the request is dropped.</summary>
    public SipMethod Method { get; }

    public bool IsReliable { get; }

    public SipTimerSettings Timers { get; }

    public SipTransactionState State { get; private set; }

    public abstract TransactionKey Key { get; }

    public abstract bool IsClient { get; }

    /// <summary>The earliest armed timer, for a heartbeat or timer wheel.</summary>
    public DateTimeOffset? NextDue => _armed.Earliest;

    /// <summary>Initial actions: a client sends its request, a server passes the request to the TU.</summary>
    public IReadOnlyList<TransactionAction> Start(DateTimeOffset now)
    {
        _out = new List<TransactionAction>(4);
        OnStart(now);
        return TakeActions();
    }

    /// <summary>Feeds one input; returns what to do. Inputs after termination produce nothing.</summary>
    public IReadOnlyList<TransactionAction> Handle(TransactionInput input, DateTimeOffset now)
    {
        if (State == SipTransactionState.Terminated) return [];
        if (input.Kind == TransactionInputKind.TimerFired && !_armed.Remove(input.Timer)) return [];

        // A new list each time: the TU may answer (and so run this transaction again) while the last list is still being read.
        _out = new List<TransactionAction>(4);
        OnInput(input, now);
        return TakeActions();
    }

    private List<TransactionAction> TakeActions()
    {
        var actions = _out;
        _out = NoneYet;
        return actions;
    }

    /// <summary>Fires every armed timer due at or before <paramref name="now"/>, earliest first.</summary>
    public IReadOnlyList<TransactionAction> FireDueTimers(DateTimeOffset now)
    {
        List<TransactionAction>? all = null;
        while (State != SipTransactionState.Terminated)
        {
            if (!_armed.TryGetDue(now, out var t, out var dueAt)) break;
            // The timer fires at its own due time so that the intervals it re-arms stay exact.
            (all ??= []).AddRange(Handle(TransactionInput.Fired(t), dueAt));
        }
        return all ?? (IReadOnlyList<TransactionAction>)[];
    }

    private protected abstract void OnStart(DateTimeOffset now);

    private protected abstract void OnInput(TransactionInput input, DateTimeOffset now);

    private protected void Send(SipMessage message) => _out.Add(new(this, TransactionActionKind.Send, message, default, default));

    private protected void Deliver(SipMessage message) => _out.Add(new(this, TransactionActionKind.DeliverToTu, message, default, default));

    private protected void Emit(TransactionActionKind kind, SipMessage? message = null) => _out.Add(new(this, kind, message, default, default));

    private protected void StartTimer(SipTimer timer, TimeSpan after, DateTimeOffset now)
    {
        var due = now + after;
        _armed.Set(timer, due);
        _out.Add(new(this, TransactionActionKind.StartTimer, null, timer, due));
    }

    private protected void StopTimer(SipTimer timer) => _armed.Remove(timer);

    private protected void Become(SipTransactionState state)
    {
        State = state;
        if (state == SipTransactionState.Terminated)
        {
            _armed.Clear();
            _out.Add(new(this, TransactionActionKind.Terminated, null, default, default));
        }
    }

    /// <summary>Enters a state guarded by a timer that is zero on reliable transports: then go straight to Terminated.</summary>
    private protected void BecomeUntil(SipTransactionState state, SipTimer timer, TimeSpan duration, DateTimeOffset now)
    {
        if (duration <= TimeSpan.Zero)
        {
            Become(SipTransactionState.Terminated);
            return;
        }
        Become(state);
        StartTimer(timer, duration, now);
    }

    /// <summary>The request, in the states before the final response, which are the only ones that read it.</summary>
    private protected SipRequest Original =>
        _request ?? throw new InvalidOperationException($"{this} dropped its request when it began to linger.");

    /// <summary>
    /// The transaction has its final response and lingers for up to 64 x T1 only to absorb or answer retransmissions
    /// (RFC 3261 sections 17.1.1.2, 17.1.2.2, 17.2.1, 17.2.2; RFC 6026 section 7): that needs its key, and at most the
    /// bytes of one message it sent, <paramref name="resend"/>. The parsed request and responses are let go here, so that
    /// tens of thousands of lingering transactions on a loaded node do not keep them in the heap.
    /// </summary>
    private protected void Linger(SipMessage? resend = null)
    {
        _request = null;
        _resend = resend is null ? default : SentBytes.Of(resend);
        OnLinger();
    }

    /// <summary>A subclass lets go of the messages it kept for the states before <see cref="Linger"/>.</summary>
    private protected virtual void OnLinger()
    {
    }

    /// <summary>Sends again what <see cref="Linger"/> kept, as the same bytes.</summary>
    private protected void Resend()
    {
        if (_resend.IsEmpty) throw new InvalidOperationException($"{this} kept nothing to resend.");
        Send(_resend.ToMessage());
    }

    /// <summary>Nothing more to resend (an INVITE server transaction confirmed by the ACK, section 17.2.1).</summary>
    private protected void ForgetResend() => _resend = default;

    private protected SipResponse Synthesize(int status) =>
        SipMessageFactory.CreateResponse(Original, status).BuildResponse();

    public override string ToString() => $"{GetType().Name} {Key.Method} {Key.Branch} {State}";
}

/// <summary>A client transaction (section 17.1).</summary>
public abstract class SipClientTransaction : SipTransaction
{
    private protected SipClientTransaction(SipRequest request, bool reliable, SipTimerSettings timers)
        : base(request, reliable, timers)
    {
        Key = new TransactionKey(request.TopVia.Branch ?? "", "", request.Method.Name);
    }

    public override TransactionKey Key { get; }

    public override bool IsClient => true;
}

/// <summary>A server transaction (section 17.2).</summary>
public abstract class SipServerTransaction : SipTransaction
{
    private protected SipServerTransaction(SipRequest request, bool reliable, SipTimerSettings timers)
        : base(request, reliable, timers)
    {
        Key = TransactionKey.ForServer(request);
    }

    public override TransactionKey Key { get; }

    public override bool IsClient => false;

    /// <summary>The last provisional response, resent for a retransmitted request in Proceeding; the final one is kept as bytes.</summary>
    private protected SipResponse? LastResponse { get; set; }

    private protected override void OnLinger() => LastResponse = null;

    /// <summary>Convenience for <see cref="SipTransaction.Handle"/> with a response from the TU.</summary>
    public IReadOnlyList<TransactionAction> SendResponse(SipResponse response, DateTimeOffset now) =>
        Handle(TransactionInput.FromTu(response), now);
}
