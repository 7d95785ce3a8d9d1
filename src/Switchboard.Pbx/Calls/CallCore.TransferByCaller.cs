using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Calls;

/// <summary>The input of a blind transfer asked for by the calling side.</summary>
internal abstract partial record CallInput
{
    /// <summary>
    /// An in-dialog request from the calling leg once a branch has taken the caller's place (<see cref="CallCore.CallerBranch"/>):
    /// the transferor while its transfer is under way, a dialog already over after it. <paramref name="InDialog"/> as for <see cref="Request"/>.
    /// </summary>
    public sealed record CallingLegRequest(SipRequest Message, bool InDialog) : CallInput;
}

/// <summary>The outputs of a blind transfer asked for by the calling side.</summary>
internal abstract partial record CallOutput
{
    /// <summary>
    /// The calling side's transfer goes ahead: the caller's media end steps aside (still bridged to the callee's, whose
    /// party keeps hearing the transferor while the target rings; its events are nobody's) and the callee's end takes
    /// the caller's place, so the target is bridged to it as to any caller. The record's route gains
    /// <paramref name="RouteStep"/> when given (a hand-over names its own step). <see cref="ReattachCallee"/> undoes it.
    /// </summary>
    public sealed record CallerStepsAside(string? RouteStep) : CallOutput;

    /// <summary>As <see cref="NotifyTransferor"/>, on the calling leg's dialog (the transferor is the phone that placed the call).</summary>
    public sealed record NotifyCallingLeg(int Status, string Reason, bool Final) : CallOutput;

    /// <summary>Let the calling leg's dialog go: BYE (its transfer succeeded), or forget it (it sent its own BYE).</summary>
    public sealed record ReleaseCallingLeg(BranchRelease How) : CallOutput;
}

/// <summary>
/// Blind transfer asked by the calling side (RFC 5589 section 6, RFC 3515): an agent who placed the call, from phone.htm
/// or a desk phone, hands the party it called (the transferee) to a colleague. The engine's shape is "the caller's end
/// bridged to the answering branch's", so the transfer is a role swap rather than a second kind of ringing: the
/// transferee's branch takes the caller's place (<see cref="CallerBranch"/>, its media end the caller's, its dialog's
/// requests the caller side's, the hold flags swapped with it) and the calling leg becomes the transferor, aside like a
/// callee transferor's. From there the callee-side transfer runs unchanged (CallCore.Transfer.cs): the target rings
/// for the party in the caller's place, who keeps hearing the transferor; its answer bridges them and the transferor
/// gets NOTIFY 200 and BYE; a failure swaps the roles back and the call goes on; a queue or a service takes the
/// transferee at once. After a success the branch stays in the caller's place until the call ends, so the call keeps
/// one record, one owner and one bridge.
/// </summary>
internal sealed partial class CallCore
{
    /// <summary>
    /// The branch in the caller's place: the transferee of a transfer the calling side asked for (while its target rings,
    /// and for the rest of the call once it answered). Null while the calling leg is the caller, as in every other call.
    /// </summary>
    public int? CallerBranch { get; private set; }

    /// <summary>The REFER came from the caller's side: its transferor is the party in the caller's place now (the calling leg, or a branch).</summary>
    private Referral ReferralByCaller(string destination) => new(CallerBranch, destination, ByCaller: true);

    /// <summary>
    /// The transferor steps aside while the target rings: a callee transferor's end is detached; a caller's side swaps
    /// with the callee's (<see cref="TakeCallersPlace"/>).
    /// </summary>
    private void SetTransferorAside(Referral referral, string routeStep)
    {
        if (referral.ByCaller)
        {
            TakeCallersPlace(routeStep);
        }
        else
        {
            _outputs.Add(new CallOutput.DetachCallee(routeStep));
        }
    }

    /// <summary>
    /// The answered callee (the transferee) takes the caller's place and the transferor the callee's, so that the
    /// target rings for the transferee exactly as a callee's transfer rings it for the caller. Each side's hold goes with
    /// its party: the transferor's hold (the transferee hearing the music) is the one the target's answer ends.
    /// </summary>
    private void TakeCallersPlace(string? routeStep)
    {
        CallerBranch = Winner;
        (_held[(int)CallSide.Caller], _held[(int)CallSide.Callee]) = (_held[(int)CallSide.Callee], _held[(int)CallSide.Caller]);
        _outputs.Add(new CallOutput.CallerStepsAside(routeStep));
    }

    /// <summary>The transfer failed and the transferor is still there: each party goes back to its side and the call goes on.</summary>
    private void RestoreParties(Referral referral)
    {
        if (!referral.ByCaller)
        {
            Winner = referral.Branch;
            return;
        }

        Winner = CallerBranch;
        CallerBranch = referral.Branch;
        (_held[(int)CallSide.Caller], _held[(int)CallSide.Callee]) = (_held[(int)CallSide.Callee], _held[(int)CallSide.Caller]);
    }

    /// <summary>A NOTIFY of the referral's progress to its transferor, on whichever dialog it has (RFC 3515 section 2.4.5).</summary>
    private void Notify(Referral referral, int status, string reason, bool final) =>
        _outputs.Add(referral.Branch is { } branch
            ? new CallOutput.NotifyTransferor(branch, status, reason, final)
            : new CallOutput.NotifyCallingLeg(status, reason, final));

    /// <summary>The transferor's leg let go: BYE once its transfer succeeded, forgotten after its own BYE.</summary>
    private void ReleaseTransferor(Referral referral, BranchRelease how)
    {
        if (referral.Branch is { } branch)
        {
            _outputs.Add(new CallOutput.ReleaseBranch(branch, how));
            _branches.Remove(branch);
        }
        else
        {
            _outputs.Add(new CallOutput.ReleaseCallingLeg(how));
        }
    }

    /// <summary>
    /// A request from the calling leg once it is no longer the caller: the transferor's (its BYE while the target rings
    /// ends its part only), or, its transfer over or its BYE taken, one for a dialog that is over (RFC 3261 section
    /// 12.2.2: 481).
    /// </summary>
    private void OnCallingLegRequest(CallInput.CallingLegRequest input)
    {
        if (_referral is { Branch: null, ByCaller: true, Gone: false })
        {
            OnTransferorRequest(new CallInput.TransferorRequest(input.Message, input.InDialog));
            return;
        }

        _outputs.Add(new CallOutput.Respond(481));
    }

    /// <summary>
    /// How the party in the caller's place is let go when the call ends: like a callee, BYE unless it ended the call
    /// itself with its own BYE (RFC 3261 section 15.1.1), a media timeout being no BYE of its own.
    /// </summary>
    private static BranchRelease ReleaseInCallersPlace(CallEnd end) =>
        end is { By: CallSide.Caller, Reason: not CallEndReason.MediaTimeout } ? BranchRelease.Forget : BranchRelease.Bye;

    /// <summary>
    /// What the calling leg is told as the call ends: the end itself while it is the caller; once a branch took its
    /// place it is the transferor, and if still in its dialog (its transfer under way) the call is over for it as after
    /// the other side's hang-up (BYE). A dialog already over hears nothing more.
    /// </summary>
    private CallEndReason EndForCallingLeg(CallEnd end) =>
        CallerBranch is null ? CallRules.ForCaller(end.Reason) : CallEndReason.RemoteHangup;
}
