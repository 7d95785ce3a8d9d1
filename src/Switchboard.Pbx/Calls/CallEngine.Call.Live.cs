using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        /// <summary>What the loop reads from the legs for the core with each media or SIP input.</summary>
        private CallPeers Peers => new(
            _media.Caller?.Audio.TelephoneEvent?.Codec.ClockRate ?? 8000,
            _winner is not null && _media.Callee is { HasTelephoneEvent: false });

        /// <summary>One input of an answered call (or of the caller in the IVR), decided by the core; the end, when it ends it.</summary>
        private Task<CallEnd?> OnLiveInputAsync(Input input) => input.Kind switch
        {
            InputKind.WebLeg when _media.SideOf(input.MediaId) is { } side => OnWebMediaAsync(side, input.LegEvent),
            InputKind.PhoneLeg when _media.SideOf(input.MediaId) is { } side => DriveAsync(new CallInput.PhoneMedia(side, input.PhoneEvent, Peers)),
            InputKind.Sip when input.Sip!.Branch is null => input.Sip.Cancelled ? NoEnd : OnLegRequestAsync(_sipCaller!, input.Sip, CallSide.Caller),
            InputKind.Sip when ReferenceEquals(input.Sip.Branch, _winner) => OnLegRequestAsync(input.Sip.Branch!, input.Sip, CallSide.Callee),
            _ => NoEnd,
        };

        private static Task<CallEnd?> NoEnd => Task.FromResult<CallEnd?>(null);

        /// <summary>
        /// An in-dialog request: the dialog checks it (it owns the CSeq state) and our end on that side says what a
        /// re-INVITE would be answered with; the core decides the rest.
        /// </summary>
        private Task<CallEnd?> OnLegRequestAsync(ISipLeg leg, CallSipInput sip, CallSide side)
        {
            if (sip.Message is not SipRequest request || sip.Transaction is not { } tx)
            {
                return NoEnd;
            }

            var accepted = leg.Accepts(request);
            var ours = accepted && request.Method.Name == "INVITE" ? _media.ReinviteTerms(side) : null;
            return DriveAsync(new CallInput.Request(side, request, accepted, ours, Peers), leg, tx);
        }

        /// <summary>
        /// The driver: feeds one input to the core, then carries out its outputs in order on the call's shard. An
        /// output that ends or transfers the call stops the rest; a ringing deadline goes to the loop's own ringing
        /// handlers; a prompt that cannot be played goes back to the core as an input once the rest is done, so the
        /// IVR's next actions come in the order it asked for them.
        /// </summary>
        private async Task<CallEnd?> DriveAsync(CallInput input, ISipLeg? leg = null, SipServerTransaction? tx = null)
        {
            var step = _core.Handle(input, Now);
            var unplayable = false;
            foreach (var output in step.Outputs)
            {
                switch (output)
                {
                    case CallOutput.Respond respond:
                        leg!.Respond(tx!, respond.Status, respond.Sdp);
                        break;
                    case CallOutput.TerminateDialog terminate:
                        LegOf(terminate.Side)?.Terminate();
                        break;
                    case CallOutput.SendInfo info:
                        _winner?.SendInfo(info.Symbol, info.Ms);
                        break;
                    case CallOutput.SendDigit digit:
                        (digit.To == CallSide.Caller ? _media.Caller : _media.Callee)?.TrySendDigit(digit.Symbol, digit.Duration);
                        break;
                    case CallOutput.UpdatePhoneMedia update:
                        _media.ApplyReinvite(update.Side, update.Remote, update.Audio, update.SessionVersion);
                        break;
                    case CallOutput.RecordDigit digit:
                        RecordDigit(digit.Symbol, digit.Ms);
                        break;
                    case CallOutput.PlayPrompt play:
                        unplayable |= !_engine._ivr.TryGetPrompt(play.Name, out var prompt) || !_media.Caller!.Play(prompt);
                        break;
                    case CallOutput.StopPrompt:
                        _media.Caller!.StopPlayback();
                        break;
                    case CallOutput.Transfer transfer:
                        MoveTo(CallState.Transfer);
                        return await TransferAsync(transfer.Destination, _route.Name);
                    case CallOutput.RecordSetupTime setup:
                        _engine._setupStats.Record(setup.Elapsed);
                        break;
                    case CallOutput.RingingDeadline { Deadline: CallDeadline.Ring }:
                        if (await OnRingTimeoutAsync() is { } noAnswer)
                        {
                            return noAnswer;
                        }

                        break;
                    case CallOutput.RingingDeadline:
                        if (OnTrunkTimeout() is { } trunkDown)
                        {
                            return trunkDown;
                        }

                        break;
                    case CallOutput.End end:
                        return end.How;
                }
            }

            return unplayable ? await DriveAsync(CallInput.PromptUnplayable) : null;
        }

        private ISipLeg? LegOf(CallSide side) => side switch
        {
            CallSide.Caller => _sipCaller,
            CallSide.Callee => _winner,
            _ => null,
        };
    }
}
