using Switchboard.Pbx.Ivr;
using Switchboard.Pbx.Routing;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        private IvrSession? _ivrSession;

        /// <summary>The ring group whose members ring now, for its fallback when nobody answers.</summary>
        private RingGroup? _ringingGroup;

        /// <summary>
        /// The answered caller in the IVR (docs/ivr.md): the session decides; the call plays its prompts on the caller's
        /// media, feeds it digits (RFC 4733 or SIP INFO), prompt ends and its wake-ups, and carries out its transfer.
        /// </summary>
        private async Task<CallEnd?> StartIvrAsync()
        {
            var session = _engine._ivr.Configuration.NewSession();
            _ivrSession = session;
            MoveTo(CallState.Ivr);
            session.Start(Now);
            return await RunIvrActionsAsync();
        }

        /// <summary>Carries out what the IVR session asked for since the last input.</summary>
        private async Task<CallEnd?> RunIvrActionsAsync()
        {
            while (_ivrSession is { } session && session.TryTakeAction(out var action))
            {
                switch (action.Kind)
                {
                    case IvrActionKind.Play:
                        if (!_engine._ivr.TryGetPrompt(action.Argument!, out var prompt) || !_media.Caller!.Play(prompt))
                        {
                            // No prompt to play (missing file, Opus leg): go on as if it had been heard.
                            session.PromptFinished(Now);
                        }

                        break;
                    case IvrActionKind.StopPrompt:
                        _media.Caller!.StopPlayback();
                        break;
                    case IvrActionKind.Transfer:
                        _ivrSession = null;
                        _media.Caller!.StopPlayback();
                        MoveTo(CallState.Transfer);
                        return await TransferAsync(action.Argument!, _route.Name);
                    case IvrActionKind.Hangup:
                        _ivrSession = null;
                        return new CallEnd(CallEndReason.RemoteHangup, CallSide.Callee);
                }
            }

            return null;
        }

        /// <summary>
        /// Rings <paramref name="destination"/> for the caller, already answered (by the IVR); the record's route becomes
        /// <paramref name="routeSoFar"/>, then the new destination.
        /// </summary>
        private async Task<CallEnd?> TransferAsync(string destination, string routeSoFar)
        {
            if (destination.StartsWith("group:", StringComparison.Ordinal))
            {
                return await RingGroupAsync(destination["group:".Length..], routeSoFar);
            }

            var route = await OffShard(() => _engine._dialPlan.ResolveAsync(_request.Caller, destination, Policy.CallOrigin.Sip, null));
            _routeName = $"{routeSoFar}>{route.Name}:{destination}";
            LogTransfer(_engine._log, CallId, destination);
            switch (route)
            {
                case Route.ToExtension extension:
                    var contacts = _engine._sip is null ? [] : _engine._locations.Lookup(extension.Target.Id);
                    if (contacts.Count == 0)
                    {
                        return new CallEnd(CallEndReason.Unavailable, CallSide.Pbx);
                    }

                    StartBranches(extension.Target, contacts, _media.Caller!.Audio.Codec);
                    return _branches.Count == 0 ? new CallEnd(CallEndReason.Error, CallSide.Pbx) : StartRinging(_engine._options.RingTimeout);
                case Route.ToService { Service: Services.BuiltInService.Echo }:
                    _media.Caller!.SetMode(Switchboard.Media.WebRtc.LegAudioMode.Echo);
                    return EnterLive();
                default:
                    return new CallEnd(CallEndReason.NotFound, CallSide.Pbx);
            }
        }

        /// <summary>
        /// Every member's phones at once; the first answer takes the call. Nobody within the group's time (or all busy):
        /// the fallback destination, when there is one (docs/ivr.md, ring groups).
        /// </summary>
        private async Task<CallEnd?> RingGroupAsync(string name, string? routeSoFar)
        {
            var group = _engine._ivr.Configuration.RingGroups.FirstOrDefault(g => g.Name == name);
            if (group is null)
            {
                return new CallEnd(CallEndReason.NotFound, CallSide.Pbx);
            }

            _routeName = routeSoFar is null ? $"group:{name}" : $"{routeSoFar}>group:{name}";
            foreach (var member in group.Members)
            {
                if (await OffShard(() => _engine._dialPlan.ResolveAsync(_request.Caller, member, Policy.CallOrigin.Sip, null)) is Route.ToExtension extension &&
                    _engine._sip is not null && _engine._locations.Lookup(extension.Target.Id) is { Count: > 0 } contacts)
                {
                    StartBranches(extension.Target, contacts, _media.Caller!.Audio.Codec);
                }
            }

            _ringingGroup = group;
            return _branches.Count > 0 ? StartRinging(group.RingTimeout) : await NobodyAnsweredAsync(new CallEnd(CallEndReason.Unavailable, CallSide.Pbx));
        }

        /// <summary>
        /// The ringing ended without an answer: a ring group with a fallback moves on to it (after letting every member's
        /// leg go), anything else ends the call with <paramref name="end"/>.
        /// </summary>
        private async Task<CallEnd?> NobodyAnsweredAsync(CallEnd end)
        {
            if (_ringingGroup is not { Fallback: { } fallback } || !CallRules.FallsBack(end.Reason))
            {
                return end;
            }

            _ringingGroup = null;
            _deadlines.Clear(CallDeadline.Ring);
            _deadlines.Clear(CallDeadline.TrunkResponse);
            await ReleaseBranchesAsync();
            if (_state != CallState.Transfer)
            {
                MoveTo(CallState.Transfer);
            }

            return await TransferAsync(fallback, _routeName!);
        }

        /// <summary>A DID mapped straight to a ring group: the caller is not answered until a member is.</summary>
        private async Task<CallEnd?> RunGroupAsync(string name)
        {
            if (!TryCreateCallerMedia([Switchboard.Media.Sdp.SdpCodec.Pcmu, Switchboard.Media.Sdp.SdpCodec.Pcma], out var answerSdp, out var failure))
            {
                return failure;
            }

            await _observer.OnAnswerSdpAsync(answerSdp);
            return await RingGroupAsync(name, _route is Route.NotFound ? null : _route.Name);
        }
    }
}
