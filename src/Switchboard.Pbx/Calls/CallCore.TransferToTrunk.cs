using Switchboard.Pbx.Routing;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Calls;

/// <summary>The outputs of a blind transfer to an external number.</summary>
internal abstract partial record CallOutput
{
    /// <summary>
    /// Find the transferor's domain's trunks for <paramref name="Route"/> in failover order and ask the call policy for a
    /// lease charged to the transferor (its extension and domain), not to the caller; answer with
    /// <see cref="CallInput.TrunksFound"/> (the loop holds the lease it took until the transfer fails or the call ends).
    /// </summary>
    public sealed record LookUpTransferTrunks(Route.ToTrunk Route) : CallOutput;

    /// <summary>
    /// The answered caller out through the trunks found, with the transferor's identity and the caller's media as it is
    /// (no new media for the caller: the trunk's branch is offered the caller's G.711 codec); answer with <see cref="CallInput.RingTrunks"/>.
    /// </summary>
    public sealed record CallTransferTrunks(Route.ToTrunk Route) : CallOutput;
}

/// <summary>
/// Blind transfer to an external number (RFC 5589 section 6): the Refer-To resolved, as the transferor dials it, to a
/// trunk route. The call policy's concurrency and rate lease is the transferor's (it places the outside call; the
/// caller's token or link grants only its own number): refused, the transferor hears NOTIFY 403 and keeps the call,
/// as its own call would have been refused (not permitted). Granted, the carrier is called as for an outgoing call
/// (failover on 5xx, 408 or silence; 401/407 answered with the trunk's account), while the caller goes on hearing the
/// transferor; provisional answers, early media (183 with SDP) included, change nothing until the 200, which bridges
/// the caller's own media leg to the trunk's. A carrier that refuses (after failover) is reported with its own final
/// status (RFC 3515 section 2.4.5: the sipfrag is the new leg's final response), the transferor is the callee again and
/// the lease is given back.
/// </summary>
internal sealed partial class CallCore
{
    /// <summary>The transfer under way goes out through a trunk: its failure reports the carrier's own final status.</summary>
    private bool _transferToTrunk;

    /// <summary>The route the transferor's dialling found is a trunk's: the lease and the trunks are looked up first, nothing changes yet.</summary>
    private void TransferToTrunk(Route.ToTrunk route)
    {
        _trunkRoute = route;
        _outputs.Add(new CallOutput.LookUpTransferTrunks(route));
    }

    /// <summary>
    /// The trunks and the transferor's lease: without either the transfer is refused and the call goes on untouched;
    /// with both the transferor's end steps aside (still heard by the caller) and the carrier is called.
    /// </summary>
    private void OnTransferTrunksFound(CallInput.TrunksFound trunks)
    {
        if (_referral is not { } referral || _trunkRoute is not { } route)
        {
            return;
        }

        if (trunks.Count == 0)
        {
            // No trunk of the domain can be reached: what the transferor's own call would end with (unavailable).
            var (status, reason) = TransferStatus(CallEndReason.Unavailable);
            RefuseTransfer(referral, status, reason);
            return;
        }

        if (!trunks.Permitted)
        {
            // The transferor's concurrency or rate limit (RFC 3261 section 21.4.4: understood, and refused; not 503, which
            // says the server is overloaded and invites a retry): what its own call out would have been refused with.
            RefuseTransfer(referral, 403, "Forbidden");
            return;
        }

        SetTransferorAside(referral, $"transfer>{route.Name}:{route.Number}");
        Winner = null;
        MoveTo(CallState.Transfer);
        _transferring = true;
        _transferToTrunk = true;
        _outputs.Add(new CallOutput.CallTransferTrunks(route));
    }

    /// <summary>
    /// The sipfrag of a failed transfer: a carrier's own final status when its last trunk refused (404, 484, 503, a 408
    /// of our own for its silence), else the status the reason maps to (busy, no answer within the ring timeout).
    /// </summary>
    private (int Status, string Reason) TransferFailureStatus(CallEnd end)
    {
        var toTrunk = _transferToTrunk;
        _transferToTrunk = false;
        if (toTrunk && _trunkBranch is { } id && _branches.TryGetValue(id, out var carrier) &&
            carrier is { State: BranchState.Failed, FinalStatus: >= 300 and < 700 })
        {
            return (carrier.FinalStatus, SipReasonPhrases.Get(carrier.FinalStatus));
        }

        return TransferStatus(end.Reason);
    }
}
