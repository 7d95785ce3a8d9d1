using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Policy;
using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Services;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>
/// The Routing state of the call's sans-IO core, and a transfer's routing: the dial plan's answer in, the way the
/// call goes out. The look-ups are outputs and their answers inputs, so no store, socket or clock is involved.
/// </summary>
public sealed class CallCoreRoutingTests
{
    private static readonly TimeSpan At = TimeSpan.FromMilliseconds(5);
    private static readonly Extension Bob = new(7, "example.com", "101", "Bob", DateTimeOffset.UnixEpoch);
    private static readonly Route.ToTrunk OutThroughCarrier = new("carrier", "+15551234", NumberClass.Internal);

    private static CallCore NewCore() => new("test", NullLogger.Instance);

    /// <summary>A new call dialled to <paramref name="destination"/>: the core asks the dial plan first.</summary>
    private static CallCore Dialled(string destination, bool fromSip = false)
    {
        var core = NewCore();
        var step = core.Handle(new CallInput.Dial(destination, fromSip), At);
        Assert.Equal<CallOutput>([new CallOutput.LookUpRoute(destination)], step.Outputs);
        return core;
    }

    [Fact]
    public void A_draining_node_ends_a_new_call_as_shutdown_without_looking_anything_up()
    {
        var step = NewCore().Handle(new CallInput.Dial("*43", FromSip: false, Draining: true), At);

        Assert.Equal<CallOutput>([new CallOutput.End(new CallEnd(CallEndReason.Shutdown, CallSide.Pbx))], step.Outputs);
    }

    [Fact]
    public void The_route_picks_the_way_a_service_answers_an_extension_rings_and_trunks_are_looked_up()
    {
        Assert.Equal<CallOutput>(
            [new CallOutput.StartService(BuiltInService.Echo)],
            Dialled("*43").Handle(new CallInput.RouteFound(new Route.ToService(BuiltInService.Echo)), At).Outputs);
        Assert.Equal<CallOutput>(
            [new CallOutput.RingExtension(Bob)],
            Dialled("101").Handle(new CallInput.RouteFound(new Route.ToExtension(Bob)), At).Outputs);
        Assert.Equal<CallOutput>(
            [new CallOutput.LookUpTrunks(OutThroughCarrier)],
            Dialled("5551234").Handle(new CallInput.RouteFound(OutThroughCarrier), At).Outputs);
    }

    [Fact]
    public void A_number_the_dial_plan_does_not_know_or_refuses_ends_the_call_by_the_pbx()
    {
        Assert.Equal<CallOutput>(
            [new CallOutput.End(new CallEnd(CallEndReason.NotFound, CallSide.Pbx))],
            Dialled("999").Handle(new CallInput.RouteFound(new Route.NotFound()), At).Outputs);
        Assert.Equal<CallOutput>(
            [new CallOutput.End(new CallEnd(CallEndReason.NotPermitted, CallSide.Pbx))],
            Dialled("0900").Handle(new CallInput.RouteFound(new Route.NotPermitted("class")), At).Outputs);
    }

    [Fact]
    public void Out_through_trunks_only_when_the_domain_has_one_and_the_policy_lets_the_call_out()
    {
        CallCore ToTrunk()
        {
            var core = Dialled("5551234");
            core.Handle(new CallInput.RouteFound(OutThroughCarrier), At);
            return core;
        }

        Assert.Equal<CallOutput>(
            [new CallOutput.End(new CallEnd(CallEndReason.Unavailable, CallSide.Pbx))],
            ToTrunk().Handle(new CallInput.TrunksFound(0, Permitted: false), At).Outputs);
        Assert.Equal<CallOutput>(
            [new CallOutput.End(new CallEnd(CallEndReason.NotPermitted, CallSide.Pbx))],
            ToTrunk().Handle(new CallInput.TrunksFound(2, Permitted: false), At).Outputs);

        var allowed = ToTrunk();
        Assert.Equal<CallOutput>([new CallOutput.CallTrunks(OutThroughCarrier)], allowed.Handle(new CallInput.TrunksFound(2, Permitted: true), At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.CallTrunk(0)], allowed.Handle(new CallInput.RingTrunks(2, TimeSpan.FromSeconds(30)), At).Outputs);
    }

    [Fact]
    public void A_carriers_did_mapped_to_a_ring_group_rings_the_group_and_a_page_cannot_dial_one()
    {
        Assert.Equal<CallOutput>(
            [new CallOutput.RingGroup("sales")],
            Dialled("group:sales", fromSip: true).Handle(new CallInput.RouteFound(new Route.NotFound()), At).Outputs);
        Assert.Equal<CallOutput>(
            [new CallOutput.End(new CallEnd(CallEndReason.NotFound, CallSide.Pbx))],
            Dialled("group:sales").Handle(new CallInput.RouteFound(new Route.NotFound()), At).Outputs);
    }

    [Fact]
    public void A_set_up_that_fails_before_anything_rings_ends_the_call_by_the_pbx_and_not_once_the_call_is_up()
    {
        var failed = Dialled("101");
        failed.Handle(new CallInput.RouteFound(new Route.ToExtension(Bob)), At);
        Assert.Equal<CallOutput>(
            [new CallOutput.End(new CallEnd(CallEndReason.BadOffer, CallSide.Pbx))],
            failed.Handle(new CallInput.SetUpFailed(CallEndReason.BadOffer), At).Outputs);

        var live = NewCore();
        live.MoveTo(CallState.Live);
        Assert.Empty(live.Handle(new CallInput.SetUpFailed(CallEndReason.Error), At).Outputs);
    }

    [Fact]
    public void A_transfer_goes_to_an_extension_the_echo_or_a_ring_group_and_nowhere_else()
    {
        var toExtension = CallCoreRingingTests.TransferredByTheIvr();
        Assert.Equal<CallOutput>([new CallOutput.LookUpRoute("101")], toExtension.Handle(new CallInput.Dial("101", FromSip: true), At).Outputs);
        Assert.Equal<CallOutput>([new CallOutput.RingExtension(Bob)], toExtension.Handle(new CallInput.RouteFound(new Route.ToExtension(Bob)), At).Outputs);

        var toEcho = CallCoreRingingTests.TransferredByTheIvr();
        toEcho.Handle(new CallInput.Dial("*43", FromSip: true), At);
        Assert.Equal<CallOutput>([new CallOutput.EchoCaller()], toEcho.Handle(new CallInput.RouteFound(new Route.ToService(BuiltInService.Echo)), At).Outputs);

        var toTrunk = CallCoreRingingTests.TransferredByTheIvr();
        toTrunk.Handle(new CallInput.Dial("5551234", FromSip: true), At);
        Assert.Equal<CallOutput>(
            [new CallOutput.End(new CallEnd(CallEndReason.NotFound, CallSide.Pbx))],
            toTrunk.Handle(new CallInput.RouteFound(OutThroughCarrier), At).Outputs);

        // A ring group is the IVR's own configuration: the dial plan is not asked, and a drain does not cut the caller off.
        var toGroup = CallCoreRingingTests.TransferredByTheIvr();
        Assert.Equal<CallOutput>(
            [new CallOutput.RingGroup("sales")],
            toGroup.Handle(new CallInput.Dial("group:sales", FromSip: true, Draining: true), At).Outputs);
    }
}
