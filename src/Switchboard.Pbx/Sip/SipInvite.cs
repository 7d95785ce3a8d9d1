using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Sip;

/// <summary>A phone's INVITE that starts a call, with the transaction that answers it and the flow it came on.</summary>
public sealed record SipInvite(InviteServerTransaction Transaction, SipRequest Request, SipFlow Flow);
