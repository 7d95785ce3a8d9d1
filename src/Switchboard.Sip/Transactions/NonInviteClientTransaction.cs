using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transactions;

/// <summary>Non-INVITE client transaction, RFC 3261 section 17.1.2 (figure 6).</summary>
public sealed class NonInviteClientTransaction : SipClientTransaction
{
    private TimeSpan _timerE;

    public NonInviteClientTransaction(SipRequest request, bool reliable, SipTimerSettings? timers = null)
        : base(request, reliable, timers ?? SipTimerSettings.Default)
    {
        if (request.Method == SipMethod.Invite || request.Method == SipMethod.Ack)
        {
            throw new ArgumentException("INVITE and ACK do not use a non-INVITE client transaction.", nameof(request));
        }
    }

    private protected override void OnStart(DateTimeOffset now)
    {
        // 17.1.2.2: Trying; Timer F; Timer E on unreliable transports.
        Become(SipTransactionState.Trying);
        Send(Original);
        StartTimer(SipTimer.F, Timers.TransactionTimeout, now);
        if (!IsReliable)
        {
            _timerE = Timers.T1;
            StartTimer(SipTimer.E, _timerE, now);
        }
    }

    private protected override void OnInput(TransactionInput input, DateTimeOffset now)
    {
        switch (State, input.Kind)
        {
            case (SipTransactionState.Trying, TransactionInputKind.TimerFired) when input.Timer == SipTimer.E:
                // 17.1.2.2: retransmit, E = min(2E, T2).
                Send(Original);
                _timerE = Min(_timerE * 2, Timers.T2);
                StartTimer(SipTimer.E, _timerE, now);
                break;
            case (SipTransactionState.Proceeding, TransactionInputKind.TimerFired) when input.Timer == SipTimer.E:
                // 17.1.2.2: in Proceeding, retransmit every T2.
                Send(Original);
                _timerE = Timers.T2;
                StartTimer(SipTimer.E, _timerE, now);
                break;
            case (SipTransactionState.Trying or SipTransactionState.Proceeding, TransactionInputKind.TimerFired) when input.Timer == SipTimer.F:
                Emit(TransactionActionKind.TimedOut, Synthesize(408));
                Become(SipTransactionState.Terminated);
                break;
            case (SipTransactionState.Trying or SipTransactionState.Proceeding, TransactionInputKind.FromNetwork) when input.Message is SipResponse r:
                Deliver(r);
                if (r.IsProvisional)
                {
                    Become(SipTransactionState.Proceeding);
                }
                else
                {
                    // 17.1.2.2: Completed only absorbs retransmitted responses (Timer K), so the request can go.
                    StopTimer(SipTimer.E);
                    StopTimer(SipTimer.F);
                    Linger();
                    BecomeUntil(SipTransactionState.Completed, SipTimer.K, IsReliable ? TimeSpan.Zero : Timers.T4, now);
                }
                break;
            case (SipTransactionState.Completed, TransactionInputKind.TimerFired) when input.Timer == SipTimer.K:
                Become(SipTransactionState.Terminated);
                break;
            case (SipTransactionState.Trying or SipTransactionState.Proceeding, TransactionInputKind.TransportError):
                Emit(TransactionActionKind.TransportFailed, Synthesize(503));
                Become(SipTransactionState.Terminated);
                break;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
