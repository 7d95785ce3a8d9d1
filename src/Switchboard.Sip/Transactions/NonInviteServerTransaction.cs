using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transactions;

/// <summary>Non-INVITE server transaction, RFC 3261 section 17.2.2 (figure 8).</summary>
public sealed class NonInviteServerTransaction : SipServerTransaction
{
    public NonInviteServerTransaction(SipRequest request, bool reliable, SipTimerSettings? timers = null)
        : base(request, reliable, timers ?? SipTimerSettings.Default)
    {
        if (request.Method == SipMethod.Invite || request.Method == SipMethod.Ack)
        {
            throw new ArgumentException("INVITE and ACK do not use a non-INVITE server transaction.", nameof(request));
        }
    }

    private protected override void OnStart(DateTimeOffset now)
    {
        Become(SipTransactionState.Trying);
        Deliver(Original);
    }

    private protected override void OnInput(TransactionInput input, DateTimeOffset now)
    {
        switch (State, input.Kind)
        {
            case (SipTransactionState.Trying, TransactionInputKind.FromNetwork):
                // 17.2.2: retransmissions in Trying are discarded.
                break;
            case (SipTransactionState.Proceeding, TransactionInputKind.FromNetwork) when input.Message is SipRequest:
                // 17.2.2: resend the last response.
                Send(LastResponse!);
                break;
            case (SipTransactionState.Completed, TransactionInputKind.FromNetwork) when input.Message is SipRequest:
                // 17.2.2: resend the final response, kept as its bytes.
                Resend();
                break;
            case (SipTransactionState.Trying or SipTransactionState.Proceeding, TransactionInputKind.FromTransactionUser) when input.Message is SipResponse r:
                Send(r);
                if (r.IsProvisional)
                {
                    LastResponse = r;
                    Become(SipTransactionState.Proceeding);
                }
                else
                {
                    // 17.2.2: Completed, Timer J = 64*T1 unreliable, 0 reliable; Completed resends this response.
                    Linger(r);
                    BecomeUntil(SipTransactionState.Completed, SipTimer.J, IsReliable ? TimeSpan.Zero : Timers.TransactionTimeout, now);
                }
                break;
            case (SipTransactionState.Completed, TransactionInputKind.TimerFired) when input.Timer == SipTimer.J:
                Become(SipTransactionState.Terminated);
                break;
            case (SipTransactionState.Proceeding or SipTransactionState.Completed, TransactionInputKind.TransportError):
                Emit(TransactionActionKind.TransportFailed);
                Become(SipTransactionState.Terminated);
                break;
        }
    }
}
