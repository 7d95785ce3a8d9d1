using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.UserAgent;

/// <summary>
/// RFC 3261 section 13.3.1.4: over an unreliable transport the UAS core (not the transaction, which ends on the 2xx)
/// resends a 2xx to an INVITE at T1, 2*T1, ... capped at T2, until the ACK arrives or 64*T1 have passed.
/// Kept in due order, so a tick looks only at what is due.
/// </summary>
internal sealed class SipOkRetransmissions
{
    private readonly Dictionary<(string CallId, uint CSeq), Pending> _pending = [];
    private readonly PriorityQueue<(string CallId, uint CSeq), DateTimeOffset> _due = new();
    private readonly SipTimerSettings _timers;

    public SipOkRetransmissions(SipTimerSettings timers) => _timers = timers;

    public int Count => _pending.Count;

    public DateTimeOffset? NextDue => _due.TryPeek(out _, out var at) ? at : null;

    public void Start(SipResponse ok, SipFlow flow, DateTimeOffset now)
    {
        var key = (ok.CallId, ok.CSeq.Number);
        var next = now + _timers.T1;
        _pending[key] = new Pending(ok, flow, next, _timers.T1, now + _timers.TransactionTimeout);
        _due.Enqueue(key, next);
    }

    /// <summary>The ACK for the 2xx arrived (matched by Call-ID and CSeq number, section 13.2.2.4): stop resending.</summary>
    public void Acknowledged(string callId, uint cseq) => _pending.Remove((callId, cseq));

    /// <summary>Resends what is due through <paramref name="send"/>; forgets what has been resent for 64*T1.</summary>
    public void Tick(DateTimeOffset now, ISipUserAgentHost send)
    {
        while (_due.TryPeek(out var key, out var at) && at <= now)
        {
            _due.Dequeue();
            if (!_pending.TryGetValue(key, out var ok) || ok.NextAt != at)
            {
                continue; // acknowledged, or a stale entry of a rescheduled one
            }

            if (now >= ok.GiveUpAt)
            {
                _pending.Remove(key);
                continue;
            }

            send.Send(ok.Flow, ok.Response);
            var interval = ok.Interval * 2 < _timers.T2 ? ok.Interval * 2 : _timers.T2;
            var next = now + interval;
            _pending[key] = ok with { NextAt = next, Interval = interval };
            _due.Enqueue(key, next);
        }
    }

    private readonly record struct Pending(SipResponse Response, SipFlow Flow, DateTimeOffset NextAt, TimeSpan Interval, DateTimeOffset GiveUpAt);
}
