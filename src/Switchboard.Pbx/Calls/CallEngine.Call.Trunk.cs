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
        /// <summary>The domain's trunks in failover order; the core asks for them by index (<see cref="CallOutput.CallTrunk"/>).</summary>
        private IReadOnlyList<(Trunk Trunk, System.Net.IPEndPoint Address)> _trunkOrder = [];
        private string? _trunkNumber;
        private SdpPayloadFormat? _trunkCodec;
        private string? _routeName;
        private Policy.CallLease? _lease;

        /// <summary>
        /// The core's <see cref="CallOutput.LookUpTrunks"/>: the caller's domain's trunks, the rule's first, then the others
        /// in order (docs/trunks.md), and the policy's concurrency and rate limits, counted atomically now that the call
        /// really goes out (emergency is exempt); the lease is the call's until it ends.
        /// </summary>
        private async Task<CallInput> LookUpTrunksAsync(Route.ToTrunk route)
        {
            var trunks = _engine._trunks?.FailoverOrder(_request.Caller.Domain, route.Trunk) ?? [];
            if (trunks.Count == 0 || _engine._sip is null)
            {
                return new CallInput.TrunksFound(0, Permitted: false);
            }

            if (_engine._policy is { } policy)
            {
                var decision = await policy.TryAcquireAsync(_request.Caller, route);
                if (!decision.Allowed)
                {
                    _routeName = "denied";
                    return new CallInput.TrunksFound(trunks.Count, Permitted: false);
                }

                _lease = decision.Lease;
            }

            _trunkOrder = trunks;
            return new CallInput.TrunksFound(trunks.Count, Permitted: true);
        }

        /// <summary>
        /// The core's <see cref="CallOutput.CallTrunks"/>: an external number, out through the trunks found, which the core
        /// then asks for one by one (it fails over on 5xx or silence and answers the carrier's 401/407 with the trunk's account).
        /// </summary>
        private async Task<CallEnd?> RunTrunkAsync(Route.ToTrunk route)
        {
            if (!TryCreateCallerMedia([SdpCodec.Pcmu, SdpCodec.Pcma], out var answerSdp, out var failure))
            {
                return await SetUpFailedAsync(failure);
            }

            _media.Caller!.SetMode(LegAudioMode.Listen);
            await _observer.OnAnswerSdpAsync(answerSdp);
            _trunkNumber = route.Number;
            _trunkCodec = _media.Caller.Audio.Codec;
            return await DriveAsync(new CallInput.RingTrunks(_trunkOrder.Count, _engine._options.RingTimeout));
        }

        /// <summary>The INVITE to the trunk at <paramref name="index"/> of the failover order: the branch's number, or null when it cannot be reached.</summary>
        private int? CallTrunk(int index)
        {
            var (trunk, address) = _trunkOrder[index];
            if (_engine._sip!.Transport.CreateFlow(trunk.Transport, address) is not { } flow)
            {
                return null;
            }

            var target = SipUri.Create(_trunkNumber, trunk.SipDomain);
            var branch = new CalleeBranch(_engine._sip, new SipContact(target, flow), _engine._options.ContactUser, PostSip) { Trunk = trunk };
            if (_media.TryOffer(branch, _trunkCodec!, out _) is not { } offer)
            {
                return null;
            }

            var caller = TrunkCaller;
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
            _routeName = TrunkRouteName(trunk);
            LogTrunkAttempt(_engine._log, CallId, trunk.Name);
            return _branches.Count - 1;
        }

        /// <summary>The core's <see cref="CallOutput.ReadTrunkCredentials"/>: the password read off the shard, the challenge answered with it.</summary>
        private async Task<CallInput> TrunkCredentialsAsync(int id, SipResponse challenge)
        {
            var branch = _branches[id];
            var trunk = branch.Trunk!;
            var password = await OffShard(() => _engine._trunks!.PasswordAsync(trunk, CancellationToken.None));
            return new CallInput.TrunkCredentials(id, password is null
                ? null
                : TrunkDigest.Answer(challenge, trunk, password, "INVITE", branch.Contact.Contact.ToString()));
        }
    }
}
