using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;

namespace Switchboard.Pbx.Calls;

/// <summary>What the call's loop does with either SIP side of an answered call, the calling phone or the answering one.</summary>
internal interface ISipLeg
{
    /// <summary>Checks an in-dialog request against the dialog (CSeq order, RFC 3261 section 12.2.2).</summary>
    bool Accepts(SipRequest request);

    /// <summary>Answers an in-dialog request, with our SDP when given.</summary>
    void Respond(SipServerTransaction tx, int status, string? sdp = null);

    /// <summary>The peer ended the dialog (its BYE is answered): nothing more is sent on it.</summary>
    void Terminate();
}
