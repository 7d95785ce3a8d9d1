using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Services;

namespace Switchboard.Pbx.Calls;

/// <summary>The inputs of the Routing and Transfer states: a destination to reach, and the answers to the core's look-ups.</summary>
internal abstract partial record CallInput
{
    /// <summary>
    /// Reach <paramref name="Destination"/>: the number the call was made to (Routing), or, the caller answered, the
    /// destination of a transfer (Transfer). <paramref name="FromSip"/>: the caller is a phone or a trunk, not a page.
    /// <paramref name="Draining"/>: the node takes no new call (docs/scale-out.md, "Drain").
    /// </summary>
    public sealed record Dial(string Destination, bool FromSip, bool Draining = false) : CallInput;

    /// <summary>The answer to <see cref="CallOutput.LookUpRoute"/>: where the dial plan says the destination leads.</summary>
    public sealed record RouteFound(Route Route) : CallInput;

    /// <summary>
    /// The answer to <see cref="CallOutput.LookUpTrunks"/> (or a transfer's <see cref="CallOutput.LookUpTransferTrunks"/>): how
    /// many trunks the caller's (the transferor's) domain has in failover order, and whether the policy's concurrency and
    /// rate limits let the call out (the loop holds the lease it took).
    /// </summary>
    public sealed record TrunksFound(int Count, bool Permitted) : CallInput;

    /// <summary>Setting the destination up failed before anything rang (no media for the caller's offer, no contact, no group): why.</summary>
    public sealed record SetUpFailed(CallEndReason Reason) : CallInput;
}

/// <summary>The outputs of the Routing and Transfer states.</summary>
internal abstract partial record CallOutput
{
    /// <summary>Resolve the destination with the dial plan (a look-up off the shard where it misses its cache); answer with <see cref="CallInput.RouteFound"/>.</summary>
    public sealed record LookUpRoute(string Destination) : CallOutput;

    /// <summary>A built-in service answers the caller (the echo, the DTMF test, the IVR).</summary>
    public sealed record StartService(BuiltInService Service) : CallOutput;

    /// <summary>The transferred caller reaches the echo: its own media, already answered, is reflected.</summary>
    public sealed record EchoCaller : CallOutput;

    /// <summary>Ring the registered contacts of <paramref name="Target"/> (with media for the caller first, unless it has it); answer with <see cref="CallInput.Ring"/>.</summary>
    public sealed record RingExtension(Directory.Extension Target) : CallOutput;

    /// <summary>Ring every member of the ring group <paramref name="Name"/>; answer with <see cref="CallInput.Ring"/> (its fallback with it).</summary>
    public sealed record RingGroup(string Name) : CallOutput;

    /// <summary>Find the trunks for <paramref name="Route"/> and ask the policy for a lease; answer with <see cref="CallInput.TrunksFound"/>.</summary>
    public sealed record LookUpTrunks(Route.ToTrunk Route) : CallOutput;

    /// <summary>Out through the trunks found: media for the caller, then answer with <see cref="CallInput.RingTrunks"/>.</summary>
    public sealed record CallTrunks(Route.ToTrunk Route) : CallOutput;
}

/// <summary>
/// The Routing state, and the routing of a transfer: which way a destination goes once the dial plan has said where
/// it leads. A new call goes to a service, an extension's contacts, out through trunks (when the policy lets it),
/// or a ring group (a trunk's DID mapped to one); a transfer of the answered caller (the IVR's choice, a ring
/// group's fallback, a REFER's queue or service with the route its transferor found) goes to an extension, a ring
/// group, a queue, the IVR or the echo. Anything else ends the call as not found or
/// not permitted, and a draining node takes no new call.
/// </summary>
internal sealed partial class CallCore
{
    private const string GroupPrefix = "group:";
    private string _dialled = "";
    private bool _fromSip;

    /// <summary>The trunk route waiting for <see cref="CallInput.TrunksFound"/>.</summary>
    private Route.ToTrunk? _trunkRoute;

    /// <summary>The Routing state's inputs (and a transfer's routing); false for any other input.</summary>
    private bool HandleRouting(CallInput input)
    {
        switch (input)
        {
            case CallInput.Dial dial:
                OnDial(dial);
                return true;
            case CallInput.RouteFound found:
                OnRouteFound(found.Route);
                return true;
            case CallInput.TrunksFound trunks when State == CallState.Routing:
                if (trunks.Count == 0)
                {
                    End(CallEndReason.Unavailable, CallSide.Pbx);
                }
                else if (!trunks.Permitted)
                {
                    End(CallEndReason.NotPermitted, CallSide.Pbx);
                }
                else
                {
                    _outputs.Add(new CallOutput.CallTrunks(_trunkRoute!));
                }

                return true;
            case CallInput.TrunksFound trunks when State == CallState.Live:
                // A REFER's external number: the transferor's lease (CallCore.TransferToTrunk.cs).
                OnTransferTrunksFound(trunks);
                return true;
            case CallInput.SetUpFailed failed when State is CallState.Routing or CallState.Transfer:
                // A REFER's target with nobody to ring: the transferor is told and keeps the call.
                if (!TransferFailed(new CallEnd(failed.Reason, CallSide.Pbx)))
                {
                    End(failed.Reason, CallSide.Pbx);
                }

                return true;
            case CallInput.TrunksFound or CallInput.SetUpFailed:
                return true;
            default:
                return false;
        }
    }

    private void OnDial(CallInput.Dial dial)
    {
        _dialled = dial.Destination;
        _fromSip = dial.FromSip;
        if (State == CallState.Routing && dial.Draining)
        {
            // The node drains: a trunk's or phone's INVITE never got here (503 from the endpoint), a browser's call did.
            End(CallEndReason.Shutdown, CallSide.Pbx);
        }
        else if ((State == CallState.Transfer || dial.FromSip) && dial.Destination.StartsWith(Queues.QueueDefinition.DestinationPrefix, StringComparison.Ordinal))
        {
            // A queue named by the IVR, a DID, or another queue's fallback: the queues are configuration, no dial plan to ask.
            _outputs.Add(new CallOutput.JoinQueue(dial.Destination[Queues.QueueDefinition.DestinationPrefix.Length..]));
        }
        else if (State == CallState.Transfer && dial.Destination.StartsWith(Queues.QueueDefinition.HangupPrefix, StringComparison.Ordinal))
        {
            GoTo(dial.Destination);
        }
        else if (State == CallState.Transfer && dial.Destination.StartsWith(GroupPrefix, StringComparison.Ordinal))
        {
            // A ring group is the IVR's own configuration: no dial plan to ask.
            _outputs.Add(new CallOutput.RingGroup(dial.Destination[GroupPrefix.Length..]));
        }
        else
        {
            _outputs.Add(new CallOutput.LookUpRoute(dial.Destination));
        }
    }

    private void OnRouteFound(Route route)
    {
        if (State == CallState.Transfer)
        {
            switch (route)
            {
                case Route.ToExtension extension:
                    _outputs.Add(new CallOutput.RingExtension(extension.Target));
                    break;
                case Route.ToService { Service: BuiltInService.Echo }:
                    _outputs.Add(new CallOutput.EchoCaller());
                    break;
                case Route.ToService { Service: BuiltInService.Ivr }:
                    _outputs.Add(new CallOutput.RestartIvr());
                    break;
                case Route.ToQueueLine queue:
                    _outputs.Add(new CallOutput.JoinQueue(queue.Queue.Name, queue.Queue.Domain));
                    break;
                default:
                    End(CallEndReason.NotFound, CallSide.Pbx);
                    break;
            }

            return;
        }

        if (State != CallState.Routing)
        {
            return;
        }

        // A trunk's DID mapped straight to a ring group: the caller is not answered until a member is.
        if (_fromSip && _dialled.StartsWith(GroupPrefix, StringComparison.Ordinal))
        {
            _outputs.Add(new CallOutput.RingGroup(_dialled[GroupPrefix.Length..]));
            return;
        }

        switch (route)
        {
            case Route.ToService service:
                _outputs.Add(new CallOutput.StartService(service.Service));
                break;
            case Route.ToExtension extension:
                _outputs.Add(new CallOutput.RingExtension(extension.Target));
                break;
            case Route.ToQueueLine queue:
                _outputs.Add(new CallOutput.JoinQueue(queue.Queue.Name));
                break;
            case Route.ToTrunk trunk:
                _trunkRoute = trunk;
                _outputs.Add(new CallOutput.LookUpTrunks(trunk));
                break;
            case Route.NotPermitted:
                End(CallEndReason.NotPermitted, CallSide.Pbx);
                break;
            default:
                End(CallEndReason.NotFound, CallSide.Pbx);
                break;
        }
    }
}
