using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transactions;

/// <summary>
/// INVITE client transaction, RFC 3261 section 17.1.1 (figure 5) as updated by RFC 6026 section 7.2 (Accepted state, Timer M).
/// </summary>
public sealed class InviteClientTransaction : SipClientTransaction
{
    private TimeSpan _timerA;

    public InviteClientTransaction(SipRequest invite, bool reliable, SipTimerSettings? timers = null)
        : base(invite, reliable, timers ?? SipTimerSettings.Default)
    {
        if (invite.Method != SipMethod.Invite) throw new ArgumentException("Not an INVITE.", nameof(invite));
    }

    private protected override void OnStart(DateTimeOffset now)
    {
        // 17.1.1.2: Calling; send the INVITE; Timer A (unreliable only) and Timer B.
        Become(SipTransactionState.Calling);
        Send(Original);
        if (!IsReliable)
        {
            _timerA = Timers.T1;
            StartTimer(SipTimer.A, _timerA, now);
        }
        StartTimer(SipTimer.B, Timers.TransactionTimeout, now);
    }

    private protected override void OnInput(TransactionInput input, DateTimeOffset now)
    {
        switch (State, input.Kind)
        {
            case (SipTransactionState.Calling, TransactionInputKind.TimerFired) when input.Timer == SipTimer.A:
                // 17.1.1.2: retransmit and double Timer A (no T2 cap for INVITE).
                Send(Original);
                _timerA *= 2;
                StartTimer(SipTimer.A, _timerA, now);
                break;
            case (SipTransactionState.Calling, TransactionInputKind.TimerFired) when input.Timer == SipTimer.B:
                // 17.1.1.2: Timer B fires in Calling: inform the TU of the timeout (as a 408).
                Emit(TransactionActionKind.TimedOut, Synthesize(408));
                Become(SipTransactionState.Terminated);
                break;
            case (SipTransactionState.Calling or SipTransactionState.Proceeding, TransactionInputKind.FromNetwork) when input.Message is SipResponse r:
                OnResponse(r, now);
                break;
            case (SipTransactionState.Completed, TransactionInputKind.FromNetwork) when input.Message is SipResponse { StatusCode: >= 300 }:
                // 17.1.1.2: retransmitted final response: resend the ACK, do not pass it up.
                Resend();
                break;
            case (SipTransactionState.Completed, TransactionInputKind.TimerFired) when input.Timer == SipTimer.D:
                Become(SipTransactionState.Terminated);
                break;
            case (SipTransactionState.Accepted, TransactionInputKind.FromNetwork) when input.Message is SipResponse { IsSuccess: true } r:
                // RFC 6026 7.2: further 2xx go to the TU, which ACKs them.
                Deliver(r);
                break;
            case (SipTransactionState.Accepted, TransactionInputKind.TimerFired) when input.Timer == SipTimer.M:
                Become(SipTransactionState.Terminated);
                break;
            case (SipTransactionState.Calling or SipTransactionState.Proceeding, TransactionInputKind.TransportError):
                // 17.1.4: inform the TU (as a 503, section 8.1.3.1).
                Emit(TransactionActionKind.TransportFailed, Synthesize(503));
                Become(SipTransactionState.Terminated);
                break;
        }
    }

    private void OnResponse(SipResponse r, DateTimeOffset now)
    {
        if (r.IsProvisional)
        {
            // 17.1.1.2: Calling -> Proceeding, no more retransmissions; pass every provisional up.
            if (State == SipTransactionState.Calling)
            {
                StopTimer(SipTimer.A);
                StopTimer(SipTimer.B);
                Become(SipTransactionState.Proceeding);
            }
            Deliver(r);
        }
        else if (r.IsSuccess)
        {
            // RFC 6026 7.2: 2xx -> Accepted, pass up, Timer M; the TU (not the transaction) sends the ACK.
            StopTimer(SipTimer.A);
            StopTimer(SipTimer.B);
            Deliver(r);
            Linger();
            Become(SipTransactionState.Accepted);
            StartTimer(SipTimer.M, Timers.TransactionTimeout, now);
        }
        else
        {
            // 17.1.1.2 and 17.1.1.3: 300-699 -> Completed, ACK, pass up, Timer D.
            StopTimer(SipTimer.A);
            StopTimer(SipTimer.B);
            // Completed resends only this ACK (section 17.1.1.2), so it keeps that and lets the INVITE go.
            var ack = SipMessageFactory.CreateAckForFailure(Original, r);
            Send(ack);
            Deliver(r);
            Linger(ack);
            BecomeUntil(SipTransactionState.Completed, SipTimer.D, Timers.TimerD(IsReliable), now);
        }
    }
}
