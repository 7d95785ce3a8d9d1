using Switchboard.Pbx.Calls;
using Switchboard.Pbx.Directory;
using Switchboard.Pbx.Routing;

namespace Switchboard.Pbx.Tests.Calls;

/// <summary>
/// The maximum call duration is a cap on the answered call (docs/configuration.md, a token's maxDuration): it counts from
/// the caller's first answer, so a transfer's target answering later starts no new one.
/// </summary>
public sealed class CallCoreMaxDurationTests
{
    private static readonly TimeSpan At = TimeSpan.FromSeconds(20);
    private static readonly Extension Carol = new(9, "example.com", "103", "Carol", DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_transfer_target_answering_an_hour_in_keeps_the_cap_of_the_first_answer()
    {
        var core = CallCoreTransferTests.Answered();
        var cap = At + new CallOptions().MaxCallDuration;
        Assert.Equal(cap, core.NextDeadline);

        var later = At + TimeSpan.FromHours(1);
        core.Handle(CallCoreTransferTests.Refer(CallSide.Callee, "<sip:103@example.com>"), later);
        core.Handle(new CallInput.TransferTargetFound(new Route.ToExtension(Carol)), later);
        core.Handle(new CallInput.Ring([1], TimeSpan.FromSeconds(30)), later);
        core.Handle(CallCoreRingingTests.Response(1, 200, "v=0\r\n"), later);
        var answered = core.Handle(new CallInput.AnswerApplied(1, Usable: true), later);

        Assert.Equal(CallState.Live, core.State);
        Assert.Equal(1, core.Winner);
        Assert.Equal(cap, answered.NextDeadline);
    }
}
