using Switchboard.Pbx.Routing;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        /// <summary>The record's route before the REFER's transfer under way, for when it fails and the call goes on.</summary>
        private string? _routeBeforeReferral;

        /// <summary>
        /// The core's <see cref="CallOutput.ResolveTransferTarget"/>: the target as the transferor (the answered callee's
        /// extension, or the calling extension) would dial it from a phone, so its domain, class and the call policy
        /// decide (docs/sip.md, "Blind transfer"). A trunk's branch, or a carrier's call, has no extension, and may
        /// transfer nowhere.
        /// </summary>
        private async Task<Route> ResolveTransferTargetAsync(string destination)
        {
            if ((_core.Transferor is { } id ? _branches[id].Extension : CallingExtension) is not { } transferor)
            {
                return new Route.NotPermitted("the transferor is no extension");
            }

            LogReferTransfer(_engine._log, CallId, _core.Transferor is { } branch && branch != _core.CallerBranch ? "callee" : "caller", destination);
            return await _engine._dialPlan.ResolveAsync(transferor, destination, Policy.CallOrigin.Sip, null);
        }

        /// <summary>The core's <see cref="CallOutput.DetachCallee"/>: the target rings, the transferor's end waits aside.</summary>
        private void DetachCallee(string routeStep)
        {
            _media.DetachCallee();
            _routeBeforeReferral = _routeName;
            _routeName = $"{_routeName ?? _route.Name}>{routeStep}";
        }

        /// <summary>The core's <see cref="CallOutput.ReattachCallee"/>: the transfer failed and the transferor is the callee again.</summary>
        private void ReattachCallee()
        {
            _media.ReattachCallee();
            _routeName = _routeBeforeReferral;
            ReleaseTransferTrunk();
        }

        /// <summary>
        /// The core's <see cref="CallOutput.HandOverCaller"/>: the PBX takes the caller from the transferor for a queue
        /// or a service. The caller's end stops relaying (and any hold music) and listens, as an answered service's does;
        /// the transferor's end steps aside and is closed with the offers nobody holds. A queue's join names its own
        /// step from <see cref="_transferFrom"/>, the same as <paramref name="routeStep"/>.
        /// </summary>
        private async Task HandOverCallerAsync(string routeStep)
        {
            var from = _routeName ?? _route.Name;
            _transferFrom = $"{from}>transfer";
            _routeName = $"{from}>{routeStep}";
            _media.Caller!.StopPlayback();
            _media.Caller.SetMode(Switchboard.Media.WebRtc.LegAudioMode.Listen);
            _media.DetachCallee();
            await _media.ReleaseOffersAsync();
        }

        /// <summary>A request in the transferor's dialog while its transfer rings: its BYE, mostly.</summary>
        private Task<CallEnd?> OnTransferorRequestAsync(CalleeBranch branch, CallSipInput sip)
        {
            if (sip.Message is not Switchboard.Sip.Messages.SipRequest request || sip.Transaction is not { } tx)
            {
                return NoEnd;
            }

            return DriveAsync(new CallInput.TransferorRequest(request, branch.Accepts(request)), branch, tx);
        }
    }
}
