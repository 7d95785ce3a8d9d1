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
            Winner is not null && _media.Callee is { HasTelephoneEvent: false });

        /// <summary>
        /// One input from a leg, in whatever state the call waits in (Ringing, Live, Ivr), turned into the core's input
        /// with what only the legs know; the core decides. The end, when it ends the call.
        /// </summary>
        private Task<CallEnd?> OnLegInputAsync(Input input) => input.Kind switch
        {
            InputKind.WebLeg when _media.SideOf(input.MediaId) is { } side => OnWebMediaAsync(side, input.LegEvent),
            InputKind.PhoneLeg when _media.SideOf(input.MediaId) is { } side => DriveAsync(new CallInput.PhoneMedia(side, input.PhoneEvent, Peers)),
            InputKind.Sip => OnSipAsync(input.Sip!),
            _ => NoEnd,
        };

        /// <summary>
        /// A SIP message for the call: from the calling phone (its CANCEL, or a request), or from a branch (a response to
        /// its INVITE, a request in its dialog when it is the answered one, else in its early dialog).
        /// </summary>
        private Task<CallEnd?> OnSipAsync(CallSipInput sip)
        {
            if (sip.Branch is not { } branch)
            {
                return sip.Cancelled ? DriveAsync(CallInput.CallerCancel)
                    : _core.CallerBranch is not null ? OnCallingLegRequestAsync(sip)
                    : OnLegRequestAsync(_sipCaller!, sip, CallSide.Caller);
            }

            var id = _branches.IndexOf(branch);
            if (id < 0)
            {
                return NoEnd;
            }

            if (sip.Message is SipResponse response)
            {
                return DriveAsync(new CallInput.BranchResponse(id, response));
            }

            if (id == _core.Winner)
            {
                return OnLegRequestAsync(branch, sip, CallSide.Callee);
            }

            if (id == _core.CallerBranch)
            {
                // The transferee of the calling side's transfer, in the caller's place (CallCore.TransferByCaller.cs).
                return OnLegRequestAsync(branch, sip, CallSide.Caller);
            }

            if (id == _core.Transferor && sip.Message is SipRequest)
            {
                return OnTransferorRequestAsync(branch, sip);
            }

            return sip.Message is SipRequest request && sip.Transaction is { } tx ? DriveAsync(new CallInput.BranchRequest(id, request), branch, tx) : NoEnd;
        }

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
            var webEnd = _media.EndOf(side) is WebRtcEnd;
            return DriveAsync(new CallInput.Request(side, request, accepted, ours, Peers, webEnd), leg, tx);
        }

        /// <summary>
        /// The driver: feeds one input to the core, then carries out its outputs in order on the call's shard. An output
        /// that ends the call, or starts what the core routed to (a service, ringing), stops the rest. An output that asks something of the legs, the media or the
        /// store (which trunk can be reached, whether an answer is usable, a trunk's password off the shard, a prompt that
        /// cannot be played) gets its answer back to the core as the next input, once the rest of that step is done.
        /// The state the core moved to is announced (logged, marked live) after the step's outputs.
        /// </summary>
        private async Task<CallEnd?> DriveAsync(CallInput input, ISipLeg? leg = null, SipServerTransaction? tx = null)
        {
            var pending = new Queue<CallInput>();
            pending.Enqueue(input);
            while (pending.TryDequeue(out var next))
            {
                var step = _core.Handle(next, Now);
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
                        case CallOutput.CallerStepsAside aside:
                            CallerStepsAside(aside.RouteStep);
                            break;
                        case CallOutput.NotifyCallingLeg notify:
                            _sipCaller!.NotifyRefer(notify.Status, notify.Reason, notify.Final);
                            break;
                        case CallOutput.ReleaseCallingLeg release:
                            _sipCaller!.Release(release.How);
                            break;
                        case CallOutput.SendInfo info:
                            Winner?.SendInfo(info.Symbol, info.Ms);
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
                            pending.Enqueue(Transfer(transfer.Destination));
                            break;
                        case CallOutput.LookUpRoute lookUp:
                            pending.Enqueue(new CallInput.RouteFound(await LookUpRouteAsync(lookUp.Destination)));
                            break;
                        case CallOutput.LookUpTrunks trunks:
                            pending.Enqueue(await LookUpTrunksAsync(trunks.Route));
                            break;
                        case CallOutput.StartService service:
                            return await RunServiceAsync(service.Service);
                        case CallOutput.EchoCaller:
                            _media.Caller!.SetMode(Switchboard.Media.WebRtc.LegAudioMode.Echo);
                            return EnterLive();
                        case CallOutput.RingExtension ring:
                            return await RunExtensionAsync(ring.Target);
                        case CallOutput.RingGroup group:
                            return _core.State == CallState.Transfer ? await RingGroupAsync(group.Name, _transferFrom) : await RunGroupAsync(group.Name);
                        case CallOutput.CallTrunks trunks:
                            return await RunTrunkAsync(trunks.Route);
                        case CallOutput.LookUpTransferTrunks trunks:
                            pending.Enqueue(await LookUpTransferTrunksAsync(trunks.Route));
                            break;
                        case CallOutput.CallTransferTrunks trunks:
                            return await RingTransferTrunksAsync(trunks.Route);
                        case CallOutput.RecordSetupTime setup:
                            _engine._setupStats.Record(setup.Elapsed);
                            _engine._histograms?.RecordMediaSetup(setup.Elapsed);
                            break;
                        case CallOutput.TellCallerRinging:
                            await _observer.OnRingingAsync();
                            break;
                        case CallOutput.AnswerCaller:
                            _answeredAt = _engine._time.GetUtcNow();
                            await _observer.OnConnectedAsync();
                            break;
                        case CallOutput.CallTrunk call:
                            pending.Enqueue(new CallInput.TrunkCalled(call.Index, CallTrunk(call.Index)));
                            break;
                        case CallOutput.Acknowledge ack:
                            _branches[ack.Branch].Acknowledge(ack.Ok);
                            break;
                        case CallOutput.ApplyAnswer apply:
                            pending.Enqueue(new CallInput.AnswerApplied(apply.Branch, _media.TryAnswer(_branches[apply.Branch], apply.Sdp)));
                            break;
                        case CallOutput.ReleaseBranch release:
                            Release(_branches[release.Branch], release.How);
                            break;
                        case CallOutput.ReleaseOffers:
                            await _media.ReleaseOffersAsync();
                            break;
                        case CallOutput.ReadTrunkCredentials read:
                            pending.Enqueue(await TrunkCredentialsAsync(read.Branch, read.Challenge));
                            break;
                        case CallOutput.RetryWithCredentials retry:
                            _branches[retry.Branch].RetryWithCredentials(retry.Authorization);
                            break;
                        case CallOutput.JoinQueue join:
                            return await JoinQueueAsync(join.Name, join.Domain ?? _request.Caller.Domain);
                        case CallOutput.PlayHoldMusic:
                            PlayHoldMusic();
                            break;
                        case CallOutput.PlayAnnouncement announce:
                            unplayable |= !PlayAnnouncement(announce);
                            break;
                        case CallOutput.QueueMissed:
                            _engine._queues?.Missed(CallId);
                            break;
                        case CallOutput.QueueAnswered answered:
                            QueueAnswered(answered.Branch);
                            await _observer.OnQueuePositionAsync(0);
                            break;
                        case CallOutput.AnswerWebReoffer reoffer:
                            pending.Enqueue(AnswerWebReoffer(reoffer.Side, reoffer.OfferSdp));
                            break;
                        case CallOutput.HoldMusic hold:
                            HoldMusic(hold.To, hold.Play);
                            break;
                        case CallOutput.ResolveTransferTarget resolve:
                            pending.Enqueue(new CallInput.TransferTargetFound(await ResolveTransferTargetAsync(resolve.Destination)));
                            break;
                        case CallOutput.NotifyTransferor notify:
                            _branches[notify.Branch].NotifyRefer(notify.Status, notify.Reason, notify.Final);
                            break;
                        case CallOutput.DetachCallee detach:
                            DetachCallee(detach.RouteStep);
                            break;
                        case CallOutput.ReattachCallee:
                            ReattachCallee();
                            break;
                        case CallOutput.HandOverCaller handOver:
                            await HandOverCallerAsync(handOver.RouteStep);
                            break;
                        case CallOutput.RestartIvr:
                            return await StartIvrAsync();
                        case CallOutput.End end:
                            return end.How;
                    }
                }

                // A move the core made is announced once its outputs are carried out, so that a call marked live as it
                // is answered has its answer time in the marker.
                Announce();
                if (unplayable)
                {
                    pending.Enqueue(CallInput.PromptUnplayable);
                }
            }

            return null;
        }

        private ISipLeg? LegOf(CallSide side) => side switch
        {
            CallSide.Caller => CallerLeg,
            CallSide.Callee => Winner,
            _ => null,
        };
    }
}
