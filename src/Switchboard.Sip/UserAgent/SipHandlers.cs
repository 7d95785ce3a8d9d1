using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.UserAgent;

/// <summary>
/// The owner of a client transaction (a call leg that sent an INVITE, BYE, CANCEL or INFO). Called on the
/// user agent's loop: post to your own mailbox and return, never block.
/// </summary>
public interface ISipClientHandler
{
    /// <summary>A response arrived, or the transaction synthesized one: 408 on timeout, 503 on a transport failure (RFC 3261 sections 8.1.3.1, 17.1).</summary>
    void OnResponse(SipClientTransaction transaction, SipResponse response);
}

/// <summary>The owner of a dialog's Call-ID (one leg of a call). Called on the user agent's loop; must not block.</summary>
public interface ISipDialogHandler
{
    /// <summary>An in-dialog request (BYE, re-INVITE, INFO, ...) with its server transaction; for ACK the transaction is null.</summary>
    void OnRequest(SipServerTransaction? transaction, SipRequest request, SipFlow flow);

    /// <summary>A CANCEL for the pending INVITE: the core has answered the CANCEL itself; the leg answers the INVITE with 487 (RFC 3261 section 9.2).</summary>
    void OnCancel(InviteServerTransaction invite);

    /// <summary>A 2xx retransmission matching no transaction (RFC 6026 section 8.8): the leg sends its ACK again.</summary>
    void OnStrayResponse(SipResponse response, SipFlow flow);
}
