using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transactions;

/// <summary>
/// INVITE server transaction, RFC 3261 section 17.2.1 (figure 7) as updated by RFC 6026 section 7.1
/// (Accepted state absorbing INVITE retransmissions, passing ACKs up, Timer L).
/// </summary>
public sealed class InviteServerTransaction : SipServerTransaction
{
    private TimeSpan _timerG;

    public InviteServerTransaction(SipRequest invite, bool reliable, SipTimerSettings? timers = null)
        : base(invite, reliable, timers ?? SipTimerSettings.Default)
    {
        if (invite.Method != SipMethod.Invite) throw new ArgumentException("Not an INVITE.", nameof(invite));
    }

    private protected override void OnStart(DateTimeOffset now)
    {
        // 17.2.1: Proceeding; send 100 Trying now rather than wait 200 ms for the TU; pass the INVITE up. The 100 goes
        // first: a TU that answers at once (483, 416, ...) must not see its final response followed by a stale 100.
        Become(SipTransactionState.Proceeding);
        LastResponse = SipMessageFactory.CreateResponse(Original, 100).BuildResponse();
        Send(LastResponse);
        Deliver(Original);
    }

    private protected override void OnInput(TransactionInput input, DateTimeOffset now)
    {
        switch (State, input.Kind)
        {
            case (SipTransactionState.Proceeding, TransactionInputKind.FromNetwork) when input.Message is SipRequest { Method.Name: "INVITE" }:
                // 17.2.1: retransmitted INVITE: resend the most recent provisional response.
                if (LastResponse is not null) Send(LastResponse);
                break;
            case (SipTransactionState.Proceeding, TransactionInputKind.FromTransactionUser) when input.Message is SipResponse r:
                Send(r);
                if (r.IsSuccess)
                {
                    // RFC 6026 7.1: 2xx -> Accepted, Timer L. Accepted absorbs INVITE retransmissions and resends only the
                    // 2xx the TU hands it again (section 13.3.1.4), so it keeps no message.
                    Linger();
                    Become(SipTransactionState.Accepted);
                    StartTimer(SipTimer.L, Timers.TransactionTimeout, now);
                }
                else if (r.IsFinal)
                {
                    // 17.2.1: 300-699 -> Completed, Timer G (unreliable) and Timer H; Completed resends this response.
                    Linger(r);
                    Become(SipTransactionState.Completed);
                    if (!IsReliable)
                    {
                        _timerG = Timers.T1;
                        StartTimer(SipTimer.G, _timerG, now);
                    }
                    StartTimer(SipTimer.H, Timers.TransactionTimeout, now);
                }
                else
                {
                    LastResponse = r;
                }
                break;
            case (SipTransactionState.Accepted, TransactionInputKind.FromNetwork) when input.Message is SipRequest { Method.Name: "ACK" } ack:
                // RFC 6026 7.1: the ACK for a 2xx is passed to the TU.
                Deliver(ack);
                break;
            case (SipTransactionState.Accepted, TransactionInputKind.FromTransactionUser) when input.Message is SipResponse { IsSuccess: true } r:
                // RFC 6026 7.1: 2xx retransmissions from the TU are sent; INVITE retransmissions are absorbed (no case).
                Send(r);
                break;
            case (SipTransactionState.Accepted, TransactionInputKind.TimerFired) when input.Timer == SipTimer.L:
                Become(SipTransactionState.Terminated);
                break;
            case (SipTransactionState.Completed, TransactionInputKind.TimerFired) when input.Timer == SipTimer.G:
                // 17.2.1: retransmit, G = min(2G, T2).
                Resend();
                _timerG = _timerG * 2 < Timers.T2 ? _timerG * 2 : Timers.T2;
                StartTimer(SipTimer.G, _timerG, now);
                break;
            case (SipTransactionState.Completed, TransactionInputKind.FromNetwork) when input.Message is SipRequest { Method.Name: "INVITE" }:
                Resend();
                break;
            case (SipTransactionState.Completed, TransactionInputKind.FromNetwork) when input.Message is SipRequest { Method.Name: "ACK" }:
                // 17.2.1: ACK -> Confirmed, Timer I (T4 unreliable, 0 reliable); G and H stop.
                // Confirmed only absorbs further ACKs: nothing left to resend.
                StopTimer(SipTimer.G);
                StopTimer(SipTimer.H);
                ForgetResend();
                BecomeUntil(SipTransactionState.Confirmed, SipTimer.I, IsReliable ? TimeSpan.Zero : Timers.T4, now);
                break;
            case (SipTransactionState.Completed, TransactionInputKind.TimerFired) when input.Timer == SipTimer.H:
                // 17.2.1: no ACK came: Terminated, the TU is told.
                Emit(TransactionActionKind.TimedOut);
                Become(SipTransactionState.Terminated);
                break;
            case (SipTransactionState.Confirmed, TransactionInputKind.TimerFired) when input.Timer == SipTimer.I:
                Become(SipTransactionState.Terminated);
                break;
            case (SipTransactionState.Proceeding or SipTransactionState.Completed or SipTransactionState.Accepted, TransactionInputKind.TransportError):
                // 17.2.4 and RFC 6026 7.1.
                Emit(TransactionActionKind.TransportFailed);
                Become(SipTransactionState.Terminated);
                break;
        }
    }
}
