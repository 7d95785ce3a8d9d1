using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.UserAgent;

public sealed partial class SipUserAgentCore
{
    /// <summary>Seconds a client of a draining node is told to wait: long enough for the dispatcher's next probe to see it.</summary>
    /// <summary>Seconds a draining node asks a client to wait before it tries again (RFC 3261 section 20.33).</summary>
    public const string RetryAfterDraining = "30";

    /// <summary>A new request with its server transaction (RFC 3261 section 8.2: the UAS checks, then the method decides).</summary>
    private void OnRequest(SipServerTransaction tx, SipRequest request, SipFlow flow, DateTimeOffset now)
    {
        if (request.MaxForwards is 0 && request.Method != SipMethod.Options)
        {
            // Section 16.3 / 8.2: a request that ran out of hops.
            Reply(tx, 483, now);
            return;
        }

        if (!request.RequestUri.IsSip)
        {
            // Section 8.2.2.1: a URI scheme we do not serve.
            Reply(tx, 416, now);
            return;
        }

        if (request.TagOf(SipHeaderId.To) is { } tag)
        {
            if (_host.FindDialog(request.CallId, tag) is { } handler)
            {
                handler.OnRequest(tx, request, flow);
            }
            else
            {
                // Section 12.2.2: a request for a dialog we do not know.
                Reply(tx, 481, now);
            }

            return;
        }

        if (RefusesNewRequests)
        {
            // RFC 3261 section 21.5.4: this node is draining (it finishes its calls, then stops). A new request, health
            // probes (OPTIONS) included, gets 503 with Retry-After (section 20.33), so a dispatcher in front marks the
            // node down and phones and carriers try another node; requests inside existing dialogs went on above.
            SendResponse(tx, SipMessageFactory.CreateResponse(request, 503, null, SipIds.NewTag())
                .AddHeader("Retry-After", RetryAfterDraining)
                .BuildResponse(), now);
            return;
        }

        var method = request.Method.Name;
        if (_options.ApplicationMethods.Contains(method))
        {
            _host.OnNewRequest(tx, request, flow);
        }
        else if (request.Method == SipMethod.Options)
        {
            // Section 11.2: what we can do; phones and proxies use it as a keep-alive too.
            SendResponse(tx, SipMessageFactory.CreateResponse(request, 200, null, SipIds.NewTag())
                .AddHeader(SipHeaderId.Allow, _options.AllowedMethods)
                .AddHeader("Accept", "application/sdp")
                .AddHeader("Server", _options.Product)
                .BuildResponse(), now);
        }
        else if (_options.DialogOnlyMethods.Contains(method))
        {
            Reply(tx, 481, now);
        }
        else
        {
            // Section 8.2.1: a method we do not support.
            SendResponse(tx, SipMessageFactory.CreateResponse(request, 405, null, SipIds.NewTag())
                .AddHeader(SipHeaderId.Allow, _options.AllowedMethods).BuildResponse(), now);
        }
    }

    /// <summary>
    /// Answers <paramref name="tx"/> with a bare status (a new To tag: section 8.2.6.2). A transaction that has its final
    /// response already would ignore another (section 17.2), and it no longer keeps the request to build one from.
    /// </summary>
    public void Reply(SipServerTransaction tx, int status, DateTimeOffset now)
    {
        if (tx.Request is { } request)
        {
            SendResponse(tx, SipMessageFactory.CreateResponse(request, status, null, SipIds.NewTag()).BuildResponse(), now);
        }
    }

    /// <summary>
    /// Section 9.2: 200 to the CANCEL when it matched a transaction, 481 when it did not; then the INVITE gets 487.
    /// The leg that owns the INVITE sends that 487 itself (it also stops ringing its callees); an INVITE nobody has
    /// taken yet (the application is still checking it) gets its 487 here, and the application finds its transaction
    /// completed when it comes back (<see cref="IsPending"/>).
    /// </summary>
    private void OnCancel(SipServerTransaction cancel, InviteServerTransaction? target, DateTimeOffset now)
    {
        Reply(cancel, target is not null ? 200 : 481, now);
        if (target is not { State: SipTransactionState.Proceeding, Request: { } invite })
        {
            return;
        }

        if (_host.FindDialog(invite.CallId, "") is { } handler)
        {
            handler.OnCancel(target);
        }
        else
        {
            Reply(target, 487, now);
        }
    }

    /// <summary>True while an INVITE still waits for its final answer: not cancelled, not answered, not timed out.</summary>
    public static bool IsPending(SipServerTransaction transaction) =>
        transaction.State is SipTransactionState.Trying or SipTransactionState.Proceeding;

    /// <summary>The ACK for a 2xx (no transaction: section 17.2.3): stop resending the 2xx and tell the dialog.</summary>
    private void OnAck(SipRequest ack, SipFlow flow)
    {
        _oks.Acknowledged(ack.CallId, ack.CSeq.Number);
        if (_host.FindDialog(ack.CallId, ack.TagOf(SipHeaderId.To) ?? "") is { } handler)
        {
            handler.OnRequest(null, ack, flow);
        }
    }

    /// <summary>A 2xx to our INVITE after its transaction ended (RFC 6026 section 8.8): the UAC leg acknowledges it again.</summary>
    private void OnStrayResponse(SipResponse response, SipFlow flow)
    {
        if (response.IsSuccess && response.CSeq.Method == SipMethod.Invite && _host.FindDialog(response.CallId, response.TagOf(SipHeaderId.From) ?? "") is { } handler)
        {
            handler.OnStrayResponse(response, flow);
        }
    }
}
