using Microsoft.Extensions.Time.Testing;

namespace Switchboard.Pbx.Tests.Sip;

/// <summary>
/// The endpoint checks its transaction timers and 2xx retransmissions only when one is due (docs/sip-core.md,
/// "Timers"): an idle PBX wakes nobody, where a fixed 20 ms poll would run fifty times a second for nothing.
/// </summary>
public sealed class SipEndpointTickTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_idle_endpoint_checks_nothing_and_a_due_timer_is_checked_when_it_is_due()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        await using var pbx = await PbxUnderTest.StartAsync(time: time);
        await IdleAsync(time);
        Assert.Equal(0, pbx.Endpoint.Ticks);

        // A REGISTER (challenged, then accepted) leaves two server transactions completed over an unreliable
        // transport; RFC 3261 section 17.2.2: Timer J, 64*T1 = 32 s later, ends them.
        using var alice = pbx.Phone("100", 2);
        Assert.Equal(200, (await alice.RegisterAsync()).StatusCode);
        Assert.Equal(2, pbx.Endpoint.Counters.ServerTransactions);
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(0, pbx.Endpoint.Ticks);
        time.Advance(TimeSpan.FromSeconds(2));
        await UntilAsync(() => pbx.Endpoint.Counters.ServerTransactions == 0);
        var ticks = pbx.Endpoint.Ticks;
        Assert.InRange(ticks, 1, 2);

        // Nothing is due any more: idle again.
        await IdleAsync(time);
        Assert.Equal(ticks, pbx.Endpoint.Ticks);
    }

    /// <summary>A minute of the PBX's clock, a second at a time, with the loop given real time to run what fires.</summary>
    private static async Task IdleAsync(FakeTimeProvider time)
    {
        for (var i = 0; i < 60; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        await Task.Delay(50);
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var waited = TimeSpan.Zero;
        while (!condition() && waited < Bound)
        {
            await Task.Delay(10);
            waited += TimeSpan.FromMilliseconds(10);
        }

        Assert.True(condition());
    }
}
