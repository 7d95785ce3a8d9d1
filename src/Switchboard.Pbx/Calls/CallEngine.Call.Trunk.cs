using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Sip;
using Switchboard.Pbx.Trunks;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        private Queue<(Trunk Trunk, System.Net.IPEndPoint Address)>? _trunkQueue;
        private string? _trunkNumber;
        private SdpPayloadFormat? _trunkCodec;
        private string? _routeName;
        private Policy.CallLease? _lease;
        private CalleeBranch? _trunkBranch;

        /// <summary>The trunk said nothing at all in time: treat it as down and fail over (or give up).</summary>
        private CallEnd? OnTrunkTimeout()
        {
            if (_trunkBranch is not { State: BranchState.Calling } branch || _winner is not null)
            {
                return null;
            }

            branch.Abandon();
            branch.State = BranchState.Failed;
            branch.FinalStatus = 408;
            LogBranchFailed(_engine._log, CallId, 408);
            return StartNextTrunk() ? null : new CallEnd(ReasonForFailures(), CallSide.Callee);
        }

        /// <summary>
        /// An external number: out through the rule's trunk, then the domain's other trunks in order when one fails with
        /// 5xx or does not answer (docs/trunks.md). The carrier's 401/407 is answered with the trunk's account.
        /// </summary>
        private async Task<CallEnd?> RunTrunkAsync(Route.ToTrunk route)
        {
            var trunks = _engine._trunks?.FailoverOrder(_request.Caller.Domain, route.Trunk) ?? [];
            if (trunks.Count == 0 || _engine._sip is null)
            {
                return new CallEnd(CallEndReason.Unavailable, CallSide.Pbx);
            }

            // The concurrency and rate limits, counted atomically now that the call really goes out (emergency is exempt).
            if (_engine._policy is { } policy)
            {
                var decision = await policy.TryAcquireAsync(_request.Caller, route);
                if (!decision.Allowed)
                {
                    _routeName = "denied";
                    return new CallEnd(CallEndReason.NotPermitted, CallSide.Pbx);
                }

                _lease = decision.Lease;
            }

            if (!TryCreateCallerMedia([SdpCodec.Pcmu, SdpCodec.Pcma], out var answerSdp, out var failure))
            {
                return failure;
            }

            _media.Caller!.SetMode(LegAudioMode.Listen);
            await _observer.OnAnswerSdpAsync(answerSdp);
            _trunkQueue = new Queue<(Trunk, System.Net.IPEndPoint)>(trunks);
            _trunkNumber = route.Number;
            _trunkCodec = _media.Caller.Audio.Codec;
            return StartNextTrunk() ? StartRinging(_engine._options.RingTimeout) : new CallEnd(CallEndReason.Unavailable, CallSide.Pbx);
        }

        /// <summary>The INVITE to the next trunk in the failover order; false when none is left.</summary>
        private bool StartNextTrunk()
        {
            while (_trunkQueue is { Count: > 0 })
            {
                var (trunk, address) = _trunkQueue.Dequeue();
                if (_engine._sip!.Transport.CreateFlow(trunk.Transport, address) is not { } flow)
                {
                    continue;
                }

                var target = SipUri.Create(_trunkNumber, trunk.SipDomain);
                var branch = new CalleeBranch(_engine._sip, new SipContact(target, flow), _engine._options.ContactUser, PostSip) { Trunk = trunk };
                if (_media.TryOffer(branch, _trunkCodec!, out _) is not { } offer)
                {
                    continue;
                }

                var caller = _request.Caller;
                var fromUser = string.IsNullOrEmpty(trunk.FromUser) ? caller.Number : trunk.FromUser;
                var headers = new List<(string, string)>();
                if (!string.IsNullOrEmpty(trunk.AssertedIdentity))
                {
                    // RFC 3325 section 9.1: the identity the carrier may show, asserted by us as a trusted peer.
                    headers.Add(("P-Asserted-Identity", $"<sip:{trunk.AssertedIdentity}@{trunk.SipDomain}>"));
                }

                branch.SendInvite($"\"{caller.DisplayName.Replace("\"", "", StringComparison.Ordinal)}\" <sip:{fromUser}@{trunk.SipDomain}>",
                    $"<{target}>", offer, headers);
                _branches.Add(branch);
                _routeName = "trunk:" + trunk.Name;
                _trunkBranch = branch;
                _deadlines.Set(CallDeadline.TrunkResponse, Now + _engine._options.TrunkResponseTimeout);
                LogTrunkAttempt(_engine._log, CallId, trunk.Name);
                return true;
            }

            return false;
        }

        private async Task<(string Name, string Value)?> TrunkCredentialsAsync(CalleeBranch branch, Trunk trunk, SipResponse challenge) =>
            await OffShard(() => _engine._trunks!.PasswordAsync(trunk, CancellationToken.None)) is { } password
                ? TrunkDigest.Answer(challenge, trunk, password, "INVITE", branch.Contact.Contact.ToString())
                : null;
    }
}
