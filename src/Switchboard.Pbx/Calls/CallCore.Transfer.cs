using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Services;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Calls;

/// <summary>The inputs of a blind transfer asked for with REFER.</summary>
internal abstract partial record CallInput
{
    /// <summary>The answer to <see cref="CallOutput.ResolveTransferTarget"/>: where the Refer-To target leads when the transferor dials it.</summary>
    public sealed record TransferTargetFound(Route Route) : CallInput;

    /// <summary>
    /// An in-dialog request from the transferor while its transfer is under way (its leg is no longer the callee's):
    /// <paramref name="InDialog"/> as for <see cref="Request"/>.
    /// </summary>
    public sealed record TransferorRequest(SipRequest Message, bool InDialog) : CallInput;
}

/// <summary>The outputs of a blind transfer.</summary>
internal abstract partial record CallOutput
{
    /// <summary>Resolve <paramref name="Destination"/> as the transferor (the answered callee, or the calling extension) would dial it; answer with <see cref="CallInput.TransferTargetFound"/>.</summary>
    public sealed record ResolveTransferTarget(string Destination) : CallOutput;

    /// <summary>
    /// NOTIFY on the transferor's dialog (branch <paramref name="Branch"/>) with Event: refer and a message/sipfrag body
    /// <c>SIP/2.0 Status Reason</c> (RFC 3515 section 2.4.4); <paramref name="Final"/>: Subscription-State terminated.
    /// </summary>
    public sealed record NotifyTransferor(int Branch, int Status, string Reason, bool Final) : CallOutput;

    /// <summary>
    /// The transferor's media end stops being the callee's but stays bridged from the caller while the target rings;
    /// the record's route gains <paramref name="RouteStep"/>.
    /// </summary>
    public sealed record DetachCallee(string RouteStep) : CallOutput;

    /// <summary>The transfer failed: the transferor's end is on its side again, the callee's or the caller's (and the record's route as it was).</summary>
    public sealed record ReattachCallee : CallOutput;

    /// <summary>
    /// A blind hand-over to a queue or a service: the transferor's media end goes, the caller's stops being relayed
    /// and stops any hold music; the record's route gains <paramref name="RouteStep"/>, and the target's own output
    /// (joining the queue, the echo, the IVR) follows in the same step.
    /// </summary>
    public sealed record HandOverCaller(string RouteStep) : CallOutput;
}

/// <summary>
/// Blind transfer, RFC 5589 section 6 ("basic transfer") with REFER (RFC 3515), asked by the answered callee (a
/// phone, or phone.htm). The REFER is accepted (202) and a NOTIFY says 100 Trying; the target is resolved as the
/// transferor would dial it (its domain and permissions): one it may not call gets NOTIFY 403 and the call goes on.
/// An extension is rung for the caller while the caller still hears the transferor; its answer bridges the caller
/// to it, NOTIFY 200 and BYE end the transferor's leg. When it fails (busy, no answer, nobody registered), the
/// NOTIFY carries its status and the transferor is the callee again, as a user expects from a failed transfer. A
/// queue or a service (the echo, the IVR) is a blind hand-over: the PBX itself takes the caller, so the transferor
/// hears NOTIFY 200 and BYE at once and the caller is routed to the target already resolved (never again as the
/// caller, whose token or link grants only its own number). An external number goes out through a trunk with the
/// transferor's lease and identity (CallCore.TransferToTrunk.cs). The other services get 501. A REFER from the
/// caller's side runs the same way once the transferee has taken the caller's place (CallCore.TransferByCaller.cs);
/// one with Replaces (attended transfer) is not supported (501).
/// </summary>
internal sealed partial class CallCore
{
    private const string ReplacesHeader = "Replaces";

    /// <summary>The transfer under way: the transferor's branch, and whether it hung up meanwhile.</summary>
    private Referral? _referral;

    /// <summary>The branch that asked for the transfer under way; null when none is, or when the calling leg asked.</summary>
    public int? Transferor => _referral?.Branch;

    /// <summary>A REFER in an answered call's dialog (the checks of CSeq order are done).</summary>
    private void OnRefer(CallInput.Request input)
    {
        if (State != CallState.Live || Winner is not { } callee)
        {
            // RFC 3515 section 2.4.2: a REFER the recipient will not act on is refused; before the answer, and with a
            // service (no second party), there is nobody to transfer.
            _outputs.Add(new CallOutput.Respond(403));
            return;
        }

        if (_referral is not null)
        {
            // One transfer at a time (RFC 3261 section 14.1's 491 spirit for overlapping requests).
            _outputs.Add(new CallOutput.Respond(491));
            return;
        }

        if (!SipNameAddress.TryParse(input.Message.GetHeaderValue(SipHeaderId.ReferTo), out var referTo) || !referTo.Uri.IsSip ||
            string.IsNullOrEmpty(referTo.Uri.User))
        {
            // RFC 3515 section 2.4.1: exactly one Refer-To, and we can only dial a user part.
            _outputs.Add(new CallOutput.Respond(400));
            return;
        }

        if (referTo.Uri.Headers.Any(h => h.Name.Equals(ReplacesHeader, StringComparison.OrdinalIgnoreCase)))
        {
            // Attended transfer (RFC 5589 section 7, Replaces of RFC 3891) is not supported.
            _outputs.Add(new CallOutput.Respond(501));
            return;
        }

        // RFC 3515 section 2.4.4-2.4.5: accepted, then an immediate NOTIFY of the new leg's progress so far.
        _referral = input.From == CallSide.Callee ? new Referral(callee, referTo.Uri.User) : ReferralByCaller(referTo.Uri.User);
        _outputs.Add(new CallOutput.Respond(202));
        Notify(_referral, 100, "Trying", final: false);
        _outputs.Add(new CallOutput.ResolveTransferTarget(referTo.Uri.User));
    }

    /// <summary>The target resolved as the transferor dials it: ring it for the caller, or refuse and go on as before.</summary>
    private void OnTransferTargetFound(Route route)
    {
        if (_referral is not { } referral || State != CallState.Live)
        {
            return;
        }

        switch (route)
        {
            case Route.ToExtension extension:
                // The caller goes on hearing the transferor until the target answers (docs/sip.md, "Blind transfer").
                SetTransferorAside(referral, $"transfer>{route.Name}:{extension.Target.Number}");
                Winner = null;
                MoveTo(CallState.Transfer);
                _transferring = true;
                _outputs.Add(new CallOutput.RingExtension(extension.Target));
                break;
            case Route.ToQueueLine:
                HandOver(referral, route, route.Name);
                break;
            case Route.ToService { Service: BuiltInService.Echo or BuiltInService.Ivr }:
                HandOver(referral, route, $"{route.Name}:{referral.Destination}");
                break;
            case Route.ToTrunk trunk:
                // An external number: the transferor's lease first (CallCore.TransferToTrunk.cs).
                TransferToTrunk(trunk);
                break;
            case Route.NotPermitted:
                RefuseTransfer(referral, 403, "Forbidden");
                break;
            case Route.NotFound:
                RefuseTransfer(referral, 404, "Not Found");
                break;
            default:
                // The star codes' services act on the caller's own extension: not a transfer target (docs/sip.md).
                RefuseTransfer(referral, 501, "Not Implemented");
                break;
        }
    }

    /// <summary>
    /// A queue or a service takes the caller at once, so the transfer has succeeded as far as the transferor goes
    /// (RFC 5589 section 6: final NOTIFY, then its dialog ends); the caller is routed to <paramref name="route"/> in
    /// the Transfer state as an IVR's choice is, from the route the transferor's dialling found.
    /// </summary>
    private void HandOver(Referral referral, Route route, string target)
    {
        if (referral.ByCaller)
        {
            TakeCallersPlace(routeStep: null);
        }

        _referral = null;
        _held[(int)CallSide.Callee] = false;
        Winner = null;
        Notify(referral, 200, "OK", final: true);
        ReleaseTransferor(referral, BranchRelease.Bye);
        MoveTo(CallState.Transfer);
        _transferring = true;
        _outputs.Add(new CallOutput.HandOverCaller($"transfer>{target}"));
        OnRouteFound(route);
    }

    /// <summary>The target could not be reached: the NOTIFY says why and the call stays as it was.</summary>
    private void RefuseTransfer(Referral referral, int status, string reason)
    {
        _referral = null;
        Notify(referral, status, reason, final: true);
    }

    /// <summary>The target answered (its branch is the winner now): the transferor hears 200 in a NOTIFY, then BYE.</summary>
    private void TransferAnswered()
    {
        if (_referral is not { } referral)
        {
            return;
        }

        _referral = null;
        if (_held[(int)CallSide.Callee])
        {
            // The transferor held the caller (hearing the music) before it transferred: the target is heard now.
            _held[(int)CallSide.Callee] = false;
            _outputs.Add(new CallOutput.HoldMusic(CallSide.Caller, Play: false));
        }

        if (!referral.Gone)
        {
            // RFC 5589 section 6: the final NOTIFY, then the transferor's dialog ends (the PBX sends BYE; a phone that
            // sends its own meets a dialog already over).
            Notify(referral, 200, "OK", final: true);
            ReleaseTransferor(referral, BranchRelease.Bye);
        }
    }

    /// <summary>
    /// The target did not answer (<paramref name="end"/> says why): with the transferor still there, the NOTIFY carries
    /// the final status and the transferor is the callee again; true then. False when the transferor left: the call ends.
    /// </summary>
    private bool TransferFailed(CallEnd end)
    {
        if (_referral is not { } referral)
        {
            return false;
        }

        _referral = null;
        if (referral.Gone)
        {
            return false;
        }

        var (status, reason) = TransferFailureStatus(end);
        foreach (var (id, branch) in _branches.ToList())
        {
            if (id == referral.Branch || id == CallerBranch)
            {
                continue;
            }

            if (CallRules.Release(branch.State, isWinner: false, end: null) is var how && how != BranchRelease.None)
            {
                _outputs.Add(new CallOutput.ReleaseBranch(id, how));
            }

            _branches.Remove(id);
        }

        Notify(referral, status, reason, final: true);
        _outputs.Add(new CallOutput.ReattachCallee());
        _outputs.Add(new CallOutput.ReleaseOffers());
        _trunkBranch = null;
        Deadlines.Clear(CallDeadline.Ring);
        Deadlines.Clear(CallDeadline.TrunkResponse);
        RestoreParties(referral);
        MoveTo(CallState.Live);
        return true;
    }

    /// <summary>
    /// The transferor's request while the target rings: its BYE ends its part (the transfer goes on without it,
    /// RFC 5589 section 6), anything else changes nothing.
    /// </summary>
    private void OnTransferorRequest(CallInput.TransferorRequest input)
    {
        if (_referral is not { } referral)
        {
            _outputs.Add(new CallOutput.Respond(481));
            return;
        }

        if (!input.InDialog)
        {
            _outputs.Add(new CallOutput.Respond(500));
            return;
        }

        switch (input.Message.Method.Name)
        {
            case "BYE":
                _referral = referral with { Gone = true };
                _outputs.Add(new CallOutput.Respond(200));
                ReleaseTransferor(referral, BranchRelease.Forget);
                break;
            case "INVITE":
                // RFC 3261 section 14.2: an offer while we are busy with the transfer's own.
                _outputs.Add(new CallOutput.Respond(491));
                break;
            default:
                _outputs.Add(new CallOutput.Respond(200));
                break;
        }
    }

    /// <summary>The sipfrag status a failed new leg reports (RFC 3515 section 2.4.5), from why nobody answered.</summary>
    private static (int Status, string Reason) TransferStatus(CallEndReason reason) => reason switch
    {
        CallEndReason.Busy => (486, "Busy Here"),
        CallEndReason.Declined => (603, "Decline"),
        CallEndReason.NoAnswer => (480, "Temporarily Unavailable"),
        CallEndReason.NotFound => (404, "Not Found"),
        CallEndReason.NotPermitted => (403, "Forbidden"),
        CallEndReason.Unavailable => (480, "Temporarily Unavailable"),
        _ => (500, "Server Internal Error"),
    };

    /// <summary>
    /// A transfer under way: the transferor's branch (null: the calling leg), the number it referred to, whether its BYE
    /// came, and whether it asked from the caller's side (its transferee then took the caller's place, CallCore.TransferByCaller.cs).
    /// </summary>
    private sealed record Referral(int? Branch, string Destination, bool Gone = false, bool ByCaller = false);
}
