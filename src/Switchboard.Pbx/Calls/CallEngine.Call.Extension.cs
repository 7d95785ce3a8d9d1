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
        /// <summary>Every branch the call has rung; a branch's index here is the number the core knows it by.</summary>
        private readonly List<CalleeBranch> _branches = [];

        /// <summary>The branch that answered (the core decided which), the callee of the Live call.</summary>
        private CalleeBranch? Winner => _core.Winner is { } id ? _branches[id] : null;

        /// <summary>
        /// The core's <see cref="CallOutput.RingExtension"/>: every registered contact of <paramref name="target"/> at once,
        /// for a new call (its media made first) or a transferred caller (who has it). The core decides the rest (the
        /// first 2xx wins and the others get CANCEL, RFC 3261 section 16.7's forking done by a B2BUA).
        /// </summary>
        private async Task<CallEnd?> RunExtensionAsync(Extension target)
        {
            var contacts = _engine._sip is null ? [] : _engine._locations.Lookup(target.Id);
            if (contacts.Count == 0)
            {
                return await SetUpFailedAsync(CallEndReason.Unavailable);
            }

            if (_core.State == CallState.Routing)
            {
                // G.711 on both sides: the relay copies packets and never transcodes (architecture, flow 2).
                if (!TryCreateCallerMedia([SdpCodec.Pcmu, SdpCodec.Pcma], out var answerSdp, out var failure))
                {
                    return await SetUpFailedAsync(failure);
                }

                _media.Caller!.SetMode(LegAudioMode.Listen);

                // A browser gets our answer now, so ICE and DTLS complete while the phones ring (signalling.md allows it).
                await _observer.OnAnswerSdpAsync(answerSdp);
            }

            var branches = StartBranches(target, contacts, _media.Caller!.Audio.Codec);
            return branches.Count == 0
                ? await SetUpFailedAsync(CallEndReason.Error)
                : await DriveAsync(new CallInput.Ring(branches, _engine._options.RingTimeout));
        }

        /// <summary>
        /// A service took the call (or the echo after a transfer): connected until someone ends it, at most
        /// <see cref="CallOptions.MaxCallDuration"/> (or the request's shorter cap) from the caller's first answer, so
        /// the echo a transfer hands the caller to starts no new cap.
        /// </summary>
        private CallEnd? EnterLive()
        {
            MoveTo(CallState.Live);
            if (!_deadlines.IsSet(CallDeadline.MaxDuration))
            {
                var cap = _request.MaxDuration is { } max && max < _engine._options.MaxCallDuration ? max : _engine._options.MaxCallDuration;
                _deadlines.Set(CallDeadline.MaxDuration, Now + cap);
            }

            return null;
        }

        /// <summary>INVITEs to <paramref name="contacts"/>, each with its media offer; the numbers of the branches that went out.</summary>
        private List<int> StartBranches(Extension target, IReadOnlyList<Sip.SipContact> contacts, SdpPayloadFormat codec)
        {
            var from = CallingParty();
            var to = $"<sip:{target.Number}@{target.Domain}>";
            var started = new List<int>(contacts.Count);
            foreach (var contact in contacts)
            {
                var branch = new CalleeBranch(_engine._sip!, contact, _engine._options.ContactUser, PostSip) { Extension = target };
                if (_media.TryOffer(branch, codec, out var refused) is not { } offer)
                {
                    if (refused is { } error)
                    {
                        LogLegRefused(_engine._log, CallId, error);
                    }

                    continue;
                }

                branch.SendInvite(from, to, offer);
                started.Add(_branches.Count);
                _branches.Add(branch);
            }

            return started;
        }

        /// <summary>Carries out the core's <see cref="CallOutput.ReleaseBranch"/>, or a release at the end of the call.</summary>
        private static void Release(CalleeBranch branch, BranchRelease how)
        {
            switch (how)
            {
                case BranchRelease.Bye:
                    branch.Bye();
                    break;
                case BranchRelease.Cancel:
                    branch.Abandon();
                    break;
                case BranchRelease.Forget:
                    branch.Forget();
                    break;
            }
        }
    }
}
