using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.UserAgent;

/// <summary>
/// What <see cref="SipUserAgentCore"/> needs from the program around it: a way to send, a table of dialogs, and
/// somewhere to hand the requests only the application can answer. Called on the core's one loop.
/// </summary>
public interface ISipUserAgentHost
{
    /// <summary>Puts one message on the wire (or drops it: UDP has no promises). Must not block.</summary>
    void Send(in SipFlow flow, SipMessage message);

    /// <summary>
    /// The leg that owns the dialog with this Call-ID and our tag, if any. A UAS leg is found by the empty tag too,
    /// for the CANCEL of its INVITE, which carries no To tag (RFC 3261 section 9.2).
    /// </summary>
    ISipDialogHandler? FindDialog(string callId, string localTag);

    /// <summary>
    /// A request outside any dialog that passed the UAS checks of RFC 3261 section 8.2 and whose method the
    /// application takes (<see cref="SipUserAgentOptions.ApplicationMethods"/>). Answer it through
    /// <see cref="SipUserAgentCore.SendResponse"/>, on the loop.
    /// </summary>
    void OnNewRequest(SipServerTransaction transaction, SipRequest request, SipFlow flow);

    /// <summary>A malformed message: answered with 400 when it was a request we could answer, otherwise dropped. For logs and counters.</summary>
    void OnMalformed(in SipFlow flow, SipParseResult parsed, bool answered);
}
