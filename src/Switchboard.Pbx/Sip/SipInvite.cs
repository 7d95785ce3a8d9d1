using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Sip;

/// <summary>A phone's INVITE that starts a call, with the transaction that answers it and the flow it came on.</summary>
public sealed record SipInvite(InviteServerTransaction Transaction, SipRequest Request, SipFlow Flow)
{
    /// <summary>
    /// Came over SIP WebSocket (RFC 7118): a browser softphone (phone.htm, JsSIP), whose offer is WebRTC's (ICE,
    /// DTLS-SRTP, RFC 8829) and is answered like the popup's, not with plain RTP.
    /// </summary>
    public bool FromBrowser => Flow.Transport is SipTransportKind.Ws or SipTransportKind.Wss;
}
