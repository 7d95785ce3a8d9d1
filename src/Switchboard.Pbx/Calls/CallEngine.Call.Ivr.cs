using Switchboard.Pbx.Ivr;
using Switchboard.Pbx.Routing;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        private IvrSession? _ivrSession;
        private long _ivrEpoch;

        private TimeSpan IvrNow => _engine._time.GetElapsedTime(_ivrEpoch);

        /// <summary>
        /// The answered caller in the IVR (docs/ivr.md): the session decides, this loop plays its prompts on the caller's
        /// media, feeds it digits (RFC 4733 or SIP INFO), prompt ends and timer ticks, and carries out its transfer.
        /// </summary>
        private async Task<CallEnd> RunIvrAsync()
        {
            var session = _engine._ivr.Configuration.NewSession();
            _ivrSession = session;
            _ivrEpoch = _engine._time.GetTimestamp();
            session.Start(IvrNow);
            ITimer? wake = null;
            try
            {
                while (true)
                {
                    while (session.TryTakeAction(out var action))
                    {
                        switch (action.Kind)
                        {
                            case IvrActionKind.Play:
                                if (!_engine._ivr.TryGetPrompt(action.Argument!, out var prompt) || !_media.Caller!.Play(prompt))
                                {
                                    // No prompt to play (missing file, Opus leg): go on as if it had been heard.
                                    session.PromptFinished(IvrNow);
                                }

                                break;
                            case IvrActionKind.StopPrompt:
                                _media.Caller!.StopPlayback();
                                break;
                            case IvrActionKind.Transfer:
                                _ivrSession = null;
                                _media.Caller!.StopPlayback();
                                return await TransferAsync(action.Argument!);
                            case IvrActionKind.Hangup:
                                _ivrSession = null;
                                return new CallEnd(CallEndReason.RemoteHangup, CallSide.Callee);
                        }
                    }

                    wake?.Dispose();
                    wake = session.NextWakeUp is { } due
                        ? _engine._time.CreateTimer(_ => Post(new Input(InputKind.IvrTick)), null, Max(due - IvrNow, TimeSpan.Zero), Timeout.InfiniteTimeSpan)
                        : null;
                    if (!await _mailbox.Reader.WaitToReadAsync() || !_mailbox.Reader.TryRead(out var input))
                    {
                        return new CallEnd(CallEndReason.Error, CallSide.Pbx);
                    }

                    if (input.Kind == InputKind.IvrTick)
                    {
                        session.Tick(IvrNow);
                    }
                    else if (OnLiveInput(input) is { } end)
                    {
                        return end;
                    }
                }
            }
            finally
            {
                wake?.Dispose();
            }
        }

        /// <summary>The menu chose a destination: ring it with the caller's media, already answered by the IVR.</summary>
        private async Task<CallEnd> TransferAsync(string destination)
        {
            if (destination.StartsWith("group:", StringComparison.Ordinal))
            {
                return await RingGroupAsync(destination["group:".Length..]);
            }

            var route = await _engine._dialPlan.ResolveAsync(_request.Caller, destination, Policy.CallOrigin.Sip, null);
            _routeName = $"{_route.Name}>{route.Name}:{destination}";
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
                    return _branches.Count == 0 ? new CallEnd(CallEndReason.Error, CallSide.Pbx) : await RingAsync();
                case Route.ToService { Service: Services.BuiltInService.Echo }:
                    _media.Caller!.SetMode(Switchboard.Media.WebRtc.LegAudioMode.Echo);
                    return await LiveAsync();
                default:
                    return new CallEnd(CallEndReason.NotFound, CallSide.Pbx);
            }
        }

        /// <summary>
        /// Every member's phones at once; the first answer takes the call. Nobody within the group's time (or all busy):
        /// the fallback destination, when there is one (docs/ivr.md, ring groups).
        /// </summary>
        private async Task<CallEnd> RingGroupAsync(string name)
        {
            var group = _engine._ivr.Configuration.RingGroups.FirstOrDefault(g => g.Name == name);
            if (group is null)
            {
                return new CallEnd(CallEndReason.NotFound, CallSide.Pbx);
            }

            _routeName = _route is Route.NotFound ? $"group:{name}" : $"{_route.Name}>group:{name}";
            foreach (var member in group.Members)
            {
                if (await _engine._dialPlan.ResolveAsync(_request.Caller, member, Policy.CallOrigin.Sip, null) is Route.ToExtension extension &&
                    _engine._sip is not null && _engine._locations.Lookup(extension.Target.Id) is { Count: > 0 } contacts)
                {
                    StartBranches(extension.Target, contacts, _media.Caller!.Audio.Codec);
                }
            }

            var outcome = _branches.Count > 0 ? await RingAsync(group.RingTimeout) : new CallEnd(CallEndReason.Unavailable, CallSide.Pbx);
            if (_winner is not null || group.Fallback is null || outcome.Reason is not (CallEndReason.NoAnswer or CallEndReason.Busy or CallEndReason.Unavailable or CallEndReason.Declined))
            {
                return outcome;
            }

            // Nobody took the call: every member's leg goes (dialog binding and media) before the fallback rings anew.
            await ReleaseBranchesAsync();
            var routeSoFar = _routeName;
            var result = await TransferAsync(group.Fallback);

            // TransferAsync names the route from the IVR on: keep the group in the path.
            _routeName = routeSoFar + _routeName![_route.Name.Length..];
            return result;
        }

        /// <summary>A DID mapped straight to a ring group: the caller is not answered until a member is.</summary>
        private async Task<CallEnd> RunGroupAsync(string name)
        {
            if (!TryCreateCallerMedia([Switchboard.Media.Sdp.SdpCodec.Pcmu, Switchboard.Media.Sdp.SdpCodec.Pcma], out var answerSdp, out var failure))
            {
                return failure;
            }

            await _observer.OnAnswerSdpAsync(answerSdp);
            return await RingGroupAsync(name);
        }

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    }
}
