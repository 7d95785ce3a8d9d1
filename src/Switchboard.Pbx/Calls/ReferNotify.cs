using System.Globalization;
using System.Text;
using Switchboard.Pbx.Sip;
using Switchboard.Sip.Dialogs;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// The implicit subscription of a REFER (RFC 3515 section 2.4.4), on whichever dialog the transferor has: a callee
/// branch's, or the calling leg's when the phone that placed the call transfers it.
/// </summary>
internal static class ReferNotify
{
    /// <summary>
    /// NOTIFY with Event: refer and a message/sipfrag body holding the new leg's status line (section 2.4.5); the last
    /// one says Subscription-State: terminated (RFC 6665 section 4.1.3, reason noresource: nothing more will be
    /// reported). Nothing is sent on a dialog that is not confirmed (over, or never begun).
    /// </summary>
    public static void Send(SipEndpoint sip, SipDialog? dialog, SipFlow flow, string contactUser, int status, string reason, bool final)
    {
        if (dialog is not { State: SipDialogState.Confirmed })
        {
            return;
        }

        var body = $"SIP/2.0 {status.ToString(CultureInfo.InvariantCulture)} {reason}\r\n";
        var notify = dialog.CreateRequest(SipMethod.Notify, sip.NewVia(flow))
            .AddHeader(SipHeaderId.Event, "refer")
            .AddHeader("Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60")
            .AddHeader(SipHeaderId.Contact, sip.ContactFor(flow, contactUser))
            .SetBody(Encoding.UTF8.GetBytes(body), "message/sipfrag;version=2.0")
            .BuildRequest();
        sip.SendRequest(notify, flow, IgnoreResponses.Instance);
    }
}
