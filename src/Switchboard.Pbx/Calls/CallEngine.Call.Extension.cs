using System.Text;
using Switchboard.Media.Phone;
using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Directory;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        private readonly List<CalleeBranch> _branches = [];
        private CalleeBranch? _winner;
        private bool _ringingSent;

        /// <summary>
        /// Rings every registered contact of <paramref name="target"/> at once; the first 2xx wins and the others
        /// get CANCEL (RFC 3261 section 16.7's forking, done by a B2BUA). Progress reaches the caller as ringing.
        /// </summary>
        private async Task<CallEnd?> RunExtensionAsync(Extension target)
        {
            var contacts = _engine._sip is null ? [] : _engine._locations.Lookup(target.Id);
            if (contacts.Count == 0)
            {
                return new CallEnd(CallEndReason.Unavailable, CallSide.Pbx);
            }

            // G.711 on both sides: the relay copies packets and never transcodes (architecture, flow 2).
            if (!TryCreateCallerMedia([SdpCodec.Pcmu, SdpCodec.Pcma], out var answerSdp, out var failure))
            {
                return failure;
            }

            _media.Caller!.SetMode(LegAudioMode.Listen);

            // A browser gets our answer now, so ICE and DTLS complete while the phones ring (signalling.md allows it).
            await _observer.OnAnswerSdpAsync(answerSdp);
            StartBranches(target, contacts, _media.Caller.Audio.Codec);
            return _branches.Count == 0 ? new CallEnd(CallEndReason.Error, CallSide.Pbx) : StartRinging(_engine._options.RingTimeout);
        }

        /// <summary>The branches are called: wait for their answers, or for <paramref name="timeout"/>.</summary>
        private CallEnd? StartRinging(TimeSpan timeout)
        {
            MoveTo(CallState.Ringing);
            _deadlines.Set(CallDeadline.Ring, Now + timeout);
            return null;
        }

        /// <summary>A branch answered (or a service took the call): connected until someone ends it, at most <see cref="CallOptions.MaxCallDuration"/> (or the request's shorter cap).</summary>
        private CallEnd? EnterLive()
        {
            _deadlines.Clear(CallDeadline.Ring);
            _deadlines.Clear(CallDeadline.TrunkResponse);
            _ringingGroup = null;
            MoveTo(CallState.Live);
            var cap = _request.MaxDuration is { } max && max < _engine._options.MaxCallDuration ? max : _engine._options.MaxCallDuration;
            _deadlines.Set(CallDeadline.MaxDuration, Now + cap);
            return null;
        }

        /// <summary>While ringing: progress, the first answer (the call goes live), or why nobody answered.</summary>
        private async Task<CallEnd?> OnRingingInputAsync(Input input)
        {
            if (await OnRingingEventAsync(input) is { } end)
            {
                return await NobodyAnsweredAsync(end);
            }

            if (_winner is null)
            {
                return null;
            }

            // A phone answered, perhaps after the IVR transferred the call: the service's own limit (an hour) no longer
            // applies to it, the maximum call duration does.
            _deadlines.Clear(CallDeadline.ServiceLimit);
            return EnterLive();
        }

        private Task<CallEnd?> OnRingTimeoutAsync() =>
            _state == CallState.Ringing ? NobodyAnsweredAsync(new CallEnd(CallEndReason.NoAnswer, CallSide.Pbx)) : Task.FromResult<CallEnd?>(null);

        private void StartBranches(Extension target, IReadOnlyList<Sip.SipContact> contacts, SdpPayloadFormat codec)
        {
            var caller = _request.Caller;
            var from = $"\"{caller.DisplayName.Replace("\"", "", StringComparison.Ordinal)}\" <sip:{caller.Number}@{caller.Domain}>";
            var to = $"<sip:{target.Number}@{target.Domain}>";
            foreach (var contact in contacts)
            {
                var branch = new CalleeBranch(_engine._sip!, contact, _engine._options.ContactUser, PostSip);
                if (_media.TryOffer(branch, codec, out var refused) is not { } offer)
                {
                    if (refused is { } error)
                    {
                        LogLegRefused(_engine._log, CallId, error);
                    }

                    continue;
                }

                branch.SendInvite(from, to, offer);
                _branches.Add(branch);
            }
        }

        private async Task<CallEnd?> OnRingingEventAsync(Input input)
        {
            switch (input.Kind)
            {
                case InputKind.WebLeg when _media.SideOf(input.MediaId) == CallSide.Caller:
                    return await DriveAsync(new CallInput.WebMedia(CallSide.Caller, input.LegEvent, Peers));
                case InputKind.PhoneLeg when _media.SideOf(input.MediaId) == CallSide.Caller && input.PhoneEvent.Kind == Switchboard.Media.Phone.RtpLegEventKind.MediaTimeout:
                    // A caller answered by the IVR, gone silent while the transfer rings.
                    return await DriveAsync(new CallInput.PhoneMedia(CallSide.Caller, input.PhoneEvent, Peers));
                case InputKind.Sip when input.Sip!.Branch is null:
                    return OnCallerSipWhileRinging(input.Sip);
                case InputKind.Sip when input.Sip.Message is SipResponse response:
                    return await OnBranchResponseAsync(input.Sip.Branch!, response);
                case InputKind.Sip when input.Sip.Transaction is { } tx:
                    // A request inside an early dialog (rare: UPDATE, INFO): nothing to change before the answer.
                    input.Sip.Branch!.Respond(tx, input.Sip.Message is SipRequest { Method.Name: "BYE" } ? 481 : 200);
                    return null;
                default:
                    return null;
            }
        }

        private CallEnd? OnCallerSipWhileRinging(CallSipInput sip)
        {
            if (sip.Cancelled)
            {
                return new CallEnd(CallEndReason.Hangup, CallSide.Caller);
            }

            if (sip.Transaction is { } tx)
            {
                _sipCaller!.Respond(tx, sip.Message is SipRequest { Method.Name: "BYE" } ? 481 : 200);
            }

            return null;
        }

        private async Task<CallEnd?> OnBranchResponseAsync(CalleeBranch branch, SipResponse response)
        {
            if (branch.State is BranchState.Failed or BranchState.Abandoned || _winner is not null)
            {
                return null;
            }

            if (response.IsProvisional)
            {
                if (branch.State == BranchState.Calling)
                {
                    branch.State = BranchState.Proceeding;
                }

                if (response.StatusCode is 180 or 183)
                {
                    branch.State = BranchState.Ringing;
                    if (!_ringingSent && _answeredAt is null)
                    {
                        _ringingSent = true;
                        await _observer.OnRingingAsync();
                    }
                }

                return null;
            }

            if (response.IsSuccess)
            {
                if (await TryAnswerAsync(branch, response))
                {
                    return null;
                }
            }
            else if (response.StatusCode is 401 or 407 && branch.Trunk is { } trunk && await TrunkCredentialsAsync(branch, trunk, response) is { } authorization &&
                     branch.RetryWithCredentials(authorization))
            {
                return null;
            }
            else
            {
                branch.State = BranchState.Failed;
                branch.FinalStatus = response.StatusCode;
                LogBranchFailed(_engine._log, CallId, response.StatusCode);

                // A carrier that fails (5xx) or does not answer (408, also our own timeout) hands the call to the next trunk.
                if (branch.Trunk is not null && response.StatusCode is >= 500 or 408 && StartNextTrunk())
                {
                    return null;
                }
            }

            return _branches.TrueForAll(b => b.State == BranchState.Failed) ? new CallEnd(ReasonForFailures(), CallSide.Callee) : null;
        }

        /// <summary>The first 2xx: ACK it, point the callee's media at what it answered, bridge, tell the caller.</summary>
        private async Task<bool> TryAnswerAsync(CalleeBranch branch, SipResponse ok)
        {
            branch.Acknowledge(ok);
            if (!_media.TryAnswer(branch, Encoding.UTF8.GetString(ok.Body.Span)))
            {
                // RFC 3261 section 13.2.2.4: an answer we cannot use ends that dialog with BYE.
                branch.Bye();
                branch.State = BranchState.Failed;
                branch.FinalStatus = 488;
                return false;
            }

            _winner = branch;
            branch.State = BranchState.Answered;
            foreach (var other in _branches)
            {
                if (!ReferenceEquals(other, branch) && other.State is BranchState.Calling or BranchState.Proceeding or BranchState.Ringing)
                {
                    other.Abandon();
                    other.State = BranchState.Abandoned;
                }
            }

            // The offers the other branches got are nobody's now.
            await _media.ReleaseOffersAsync();
            if (_answeredAt is null)
            {
                // After an IVR transfer the caller is connected already (to the menu).
                _answeredAt = _engine._time.GetUtcNow();
                await _observer.OnConnectedAsync();
            }

            return true;
        }

        private CallEndReason ReasonForFailures() => CallRules.ReasonForFailures(_branches.ConvertAll(b => b.FinalStatus));
    }
}
