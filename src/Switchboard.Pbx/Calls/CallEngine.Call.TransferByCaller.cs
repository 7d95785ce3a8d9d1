using Switchboard.Pbx.Directory;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        /// <summary>
        /// The caller side's SIP leg: the calling phone's, or, once the phone that placed the call transferred it, the
        /// branch of the transferee in its place (<see cref="CallCore.CallerBranch"/>); null for a page.
        /// </summary>
        private ISipLeg? CallerLeg => _core.CallerBranch is { } id ? _branches[id] : _sipCaller;

        /// <summary>
        /// The extension that placed the call, as which its REFER's target is dialled (its domain, class and the call
        /// policy); null for a carrier's call, whose far end is no extension of ours and may transfer nowhere.
        /// </summary>
        private Extension? CallingExtension => _request.Origin.StartsWith("trunk:", StringComparison.Ordinal) ? null : _request.Caller;

        /// <summary>
        /// The From of the INVITEs the call sends: the party the rung phone will talk to. That is the caller, and after a
        /// transfer by the calling side the transferee in its place, as a PBX shows a transferred call as coming from the
        /// party transferred (the transferor has left by the time the target talks): an extension by its name and number,
        /// a number called out through a trunk by that number.
        /// </summary>
        private string CallingParty()
        {
            if (_core.CallerBranch is { } id && _branches[id] is var transferee)
            {
                if (transferee.Extension is { } extension)
                {
                    return NameAddress(extension.DisplayName, extension.Number, extension.Domain);
                }

                var number = transferee.Contact.Contact.User ?? "anonymous";
                return NameAddress(number, number, _request.Caller.Domain);
            }

            var caller = _request.Caller;
            return NameAddress(caller.DisplayName, caller.Number, caller.Domain);
        }

        private static string NameAddress(string displayName, string number, string domain) =>
            $"\"{displayName.Replace("\"", "", StringComparison.Ordinal)}\" <sip:{number}@{domain}>";

        /// <summary>
        /// The core's <see cref="CallOutput.CallerStepsAside"/>: the transferee's end is the caller's now, the calling
        /// end waits aside; the record's route gains the step (a hand-over's names itself).
        /// </summary>
        private void CallerStepsAside(string? routeStep)
        {
            _media.CallerStepsAside();
            if (routeStep is not null)
            {
                _routeBeforeReferral = _routeName;
                _routeName = $"{_routeName ?? _route.Name}>{routeStep}";
            }
        }

        /// <summary>A request in the calling leg's dialog once a branch has taken the caller's place: the transferor's, the core decides.</summary>
        private Task<CallEnd?> OnCallingLegRequestAsync(CallSipInput sip)
        {
            if (sip.Message is not SipRequest request || sip.Transaction is not { } tx)
            {
                return NoEnd;
            }

            return DriveAsync(new CallInput.CallingLegRequest(request, _sipCaller!.Accepts(request)), _sipCaller, tx);
        }
    }
}
