using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Sip;

/// <summary>Where authenticated new INVITEs go (the call engine). Called on the endpoint's loop; must not block.</summary>
public interface ISipCallAcceptor
{
    void OnInvite(InviteServerTransaction transaction, SipRequest invite, SipFlow flow, Directory.Extension caller);

    /// <summary>An INVITE that came from a trunk's carrier: routed by the DID it is for.</summary>
    void OnTrunkInvite(InviteServerTransaction transaction, SipRequest invite, SipFlow flow, Trunks.Trunk trunk);
}
