using Switchboard.Pbx.Ivr;
using Switchboard.Pbx.Routing;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        /// <summary>
        /// The answered caller in the IVR (docs/ivr.md): the core owns the session and says which prompts to play, and
        /// when to transfer; the loop plays them on the caller's media and carries out the transfer. The core moves the
        /// call to Ivr as it takes the session.
        /// </summary>
        private Task<CallEnd?> StartIvrAsync() => DriveAsync(new CallInput.StartIvr(_engine._ivr.Configuration.NewSession()));

        /// <summary>The record's route before the transfer under way (the IVR's, or the ring group's whose fallback it is).</summary>
        private string _transferFrom = "";

        /// <summary>The core's <see cref="CallOutput.Transfer"/>: the answered caller is routed anew, to <paramref name="destination"/>.</summary>
        private CallInput.Dial Transfer(string destination)
        {
            _transferFrom = _routeName ?? _route.Name;
            LogTransfer(_engine._log, CallId, destination);
            return new CallInput.Dial(destination, FromSip: true);
        }

        /// <summary>
        /// Every member's phones at once; the first answer takes the call. Nobody within the group's time (or all busy):
        /// the fallback destination, when there is one (docs/ivr.md, ring groups); the core decides which.
        /// </summary>
        private async Task<CallEnd?> RingGroupAsync(string name, string? routeSoFar)
        {
            var group = _engine._ivr.Configuration.RingGroups.FirstOrDefault(g => g.Name == name);
            if (group is null)
            {
                return await SetUpFailedAsync(CallEndReason.NotFound);
            }

            _routeName = routeSoFar is null ? $"group:{name}" : $"{routeSoFar}>group:{name}";
            var branches = new List<int>();
            foreach (var member in group.Members)
            {
                if (await _engine._dialPlan.ResolveAsync(_request.Caller, member, Policy.CallOrigin.Sip, null) is Route.ToExtension extension &&
                    _engine._sip is not null && _engine._locations.Lookup(extension.Target.Id) is { Count: > 0 } contacts)
                {
                    branches.AddRange(StartBranches(extension.Target, contacts, _media.Caller!.Audio.Codec));
                }
            }

            return await DriveAsync(new CallInput.Ring(branches, group.RingTimeout, group.Fallback));
        }

        /// <summary>A DID mapped straight to a ring group: the caller is not answered until a member is.</summary>
        private async Task<CallEnd?> RunGroupAsync(string name)
        {
            if (!TryCreateCallerMedia([Switchboard.Media.Sdp.SdpCodec.Pcmu, Switchboard.Media.Sdp.SdpCodec.Pcma], out var answerSdp, out var failure))
            {
                return await SetUpFailedAsync(failure);
            }

            await _observer.OnAnswerSdpAsync(answerSdp);
            return await RingGroupAsync(name, _route is Route.NotFound ? null : _route.Name);
        }
    }
}
