using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Trunks;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        /// <summary>
        /// The transferor while its REFER's external number is called: the carrier is shown its identity and the call
        /// policy counts its lease; null otherwise (a call out through a trunk is the caller's own).
        /// </summary>
        private Extension? _trunkTransferor;

        /// <summary>
        /// The leases the transfers out through a trunk took, the latest on top: each holds a channel while its carrier
        /// leg lives, so all are the call's until it ends; a failed transfer gives its own back.
        /// </summary>
        private readonly Stack<Policy.CallLease?> _transferLeases = new();

        /// <summary>The record's route up to the transfer's step (<c>extension&gt;transfer&gt;</c>), for the trunk that carries it.</summary>
        private string? _trunkTransferFrom;

        /// <summary>Whose identity the carrier is shown: the transferor's while it transfers the caller out, else the caller's.</summary>
        private Extension TrunkCaller => _trunkTransferor ?? _request.Caller;

        /// <summary>
        /// The record's route for the trunk now tried: <c>trunk:NAME</c> for the caller's own call,
        /// <c>extension&gt;transfer&gt;trunk:NAME:NUMBER</c> for a transfer (the number the carrier is asked for).
        /// </summary>
        private string TrunkRouteName(Trunk trunk) =>
            _trunkTransferor is null ? "trunk:" + trunk.Name : $"{_trunkTransferFrom}trunk:{trunk.Name}:{_trunkNumber}";

        /// <summary>
        /// The core's <see cref="CallOutput.LookUpTransferTrunks"/>: the transferor's domain's trunks in failover order
        /// (docs/trunks.md), and the policy's concurrency and rate limits counted against the transferor, who places
        /// this outside call; the caller (a visitor whose token or link grants only its own number) is charged nothing.
        /// The lease is the call's until the transfer fails (<see cref="ReleaseTransferTrunk"/>) or the call ends.
        /// </summary>
        private async Task<CallInput> LookUpTransferTrunksAsync(Route.ToTrunk route)
        {
            if ((_core.Transferor is { } id ? _branches[id].Extension : CallingExtension) is not { } transferor)
            {
                return new CallInput.TrunksFound(0, Permitted: false);
            }

            var trunks = _engine._trunks?.FailoverOrder(transferor.Domain, route.Trunk) ?? [];
            if (trunks.Count == 0 || _engine._sip is null)
            {
                return new CallInput.TrunksFound(0, Permitted: false);
            }

            if (_engine._policy is { } policy)
            {
                var decision = await policy.TryAcquireAsync(transferor, route);
                if (!decision.Allowed)
                {
                    return new CallInput.TrunksFound(trunks.Count, Permitted: false);
                }

                // A lease of its own, beside any the call holds already: a call the agent placed out through a trunk
                // keeps that trunk's channel (and lease) for the transferee while this one rings the target.
                _transferLeases.Push(decision.Lease);
            }

            _trunkOrder = trunks;
            _trunkTransferor = transferor;
            return new CallInput.TrunksFound(trunks.Count, Permitted: true);
        }

        /// <summary>
        /// The core's <see cref="CallOutput.CallTransferTrunks"/>: the caller keeps its media leg (WebRTC or RTP) and its
        /// codec, G.711 as every call that reached an extension has, which the trunk's branch is offered; the core asks
        /// for the trunks one by one as for an outgoing call (<see cref="CallTrunk"/>).
        /// </summary>
        private Task<CallEnd?> RingTransferTrunksAsync(Route.ToTrunk route)
        {
            _trunkTransferFrom = $"{_routeBeforeReferral ?? _route.Name}>transfer>";
            _trunkNumber = route.Number;
            _trunkCodec = _media.Caller!.Audio.Codec;
            return DriveAsync(new CallInput.RingTrunks(_trunkOrder.Count, _engine._options.RingTimeout));
        }

        /// <summary>A failed transfer gives the transferor's lease back, and later trunk calls are nobody's transfer.</summary>
        private void ReleaseTransferTrunk()
        {
            if (_trunkTransferor is null)
            {
                return;
            }

            if (_transferLeases.TryPop(out var lease))
            {
                lease?.Dispose();
            }

            _trunkTransferor = null;
            _trunkTransferFrom = null;
        }
    }
}
