using System.Net;
using Switchboard.Pbx.Security;

namespace Switchboard.Pbx.Tests.Security;

/// <summary>The flood guard on a clock the tests move: admits under the rate, blocks over it, releases, forgets, stays bounded.</summary>
public sealed class SipFloodGuardTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress Scanner = IPAddress.Parse("192.0.2.66");
    private static readonly IPAddress Phone = IPAddress.Parse("192.0.2.10");
    private static readonly SipFloodOptions Options = new() { Rate = 10, Window = TimeSpan.FromSeconds(2), MaxSources = 4 };

    [Fact]
    public void Admits_up_to_the_rate_then_blocks_once_and_keeps_dropping()
    {
        var guard = new SipFloodGuard(Options);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(SipFloodVerdict.Admit, guard.Check(Scanner, T0.AddMilliseconds(i)));
        }

        Assert.Equal(SipFloodVerdict.BlockStarted, guard.Check(Scanner, T0.AddMilliseconds(10)));
        Assert.Equal(SipFloodVerdict.Drop, guard.Check(Scanner, T0.AddMilliseconds(11)));
        Assert.True(guard.IsBlocked(Scanner));

        // Another source is not affected.
        Assert.Equal(SipFloodVerdict.Admit, guard.Check(Phone, T0.AddMilliseconds(12)));
    }

    [Fact]
    public void A_steady_source_under_the_rate_is_never_blocked()
    {
        // Nine requests every two seconds for a minute: the sliding estimate never passes ten.
        var guard = new SipFloodGuard(Options);
        for (var ms = 0; ms < 60_000; ms += 2000 / 9)
        {
            Assert.Equal(SipFloodVerdict.Admit, guard.Check(Phone, T0.AddMilliseconds(ms)));
        }
    }

    [Fact]
    public void A_burst_across_a_window_boundary_is_still_seen()
    {
        // Eight at the end of one window and eight at the start of the next: two fixed windows would each pass.
        var guard = new SipFloodGuard(Options);
        var verdicts = new List<SipFloodVerdict>();
        for (var i = 0; i < 8; i++)
        {
            verdicts.Add(guard.Check(Scanner, T0.AddMilliseconds(1900 + i)));
        }

        for (var i = 0; i < 8; i++)
        {
            verdicts.Add(guard.Check(Scanner, T0.AddMilliseconds(2000 + i)));
        }

        Assert.Contains(SipFloodVerdict.BlockStarted, verdicts);
    }

    [Fact]
    public void A_flood_that_goes_on_stays_blocked_and_one_that_stops_is_released_by_the_sweep()
    {
        var guard = new SipFloodGuard(Options);
        var released = new List<SipFloodRelease>();
        var t = T0;
        for (var i = 0; i < 11; i++)
        {
            guard.Check(Scanner, t);
        }

        // Still flooding at twice the rate for three windows: the dropped requests count, so no release.
        for (var step = 0; step < 60; step++)
        {
            t = t.AddMilliseconds(100);
            guard.Check(Scanner, t);
            guard.Check(Scanner, t);
            guard.Sweep(t, released);
        }

        Assert.Empty(released);
        Assert.True(guard.IsBlocked(Scanner));

        // Quiet: within two windows the estimate falls under the rate and one sweep releases it.
        for (var step = 0; step < 40; step++)
        {
            t = t.AddMilliseconds(100);
            guard.Sweep(t, released);
        }

        var release = Assert.Single(released);
        Assert.Equal("192.0.2.66", release.Source.ToString());
        Assert.Equal(121, release.Dropped);
        Assert.False(guard.IsBlocked(Scanner));
        Assert.Equal(SipFloodVerdict.Admit, guard.Check(Scanner, t));
    }

    [Fact]
    public void A_block_lasts_at_least_a_window()
    {
        var guard = new SipFloodGuard(Options);
        var released = new List<SipFloodRelease>();
        for (var i = 0; i < 11; i++)
        {
            guard.Check(Scanner, T0.AddMilliseconds(1990));
        }

        guard.Sweep(T0.AddMilliseconds(3500), released);
        Assert.Empty(released);
        guard.Sweep(T0.AddMilliseconds(6000), released);
        Assert.Single(released);
    }

    [Fact]
    public void Idle_sources_are_forgotten_and_the_table_never_grows_past_its_cap()
    {
        var guard = new SipFloodGuard(Options);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(SipFloodVerdict.Admit, guard.Check(IPAddress.Parse($"198.51.100.{i}"), T0));
        }

        // Four tracked, the rest admitted untracked: failing open, a full table cannot lock phones out.
        Assert.Equal(4, guard.Tracked);
        Assert.Equal(16, guard.Untracked);

        // A window later the idle ones make room for new sources; two idle windows later the sweep forgets them all.
        Assert.Equal(SipFloodVerdict.Admit, guard.Check(Phone, T0.AddSeconds(2)));
        Assert.Equal(1, guard.Tracked);
        guard.Sweep(T0.AddSeconds(6), []);
        Assert.Equal(0, guard.Tracked);
    }

    [Fact]
    public void Configured_networks_and_trusted_sources_are_exempt()
    {
        var carrier = IPAddress.Parse("203.0.113.5");
        var guard = new SipFloodGuard(Options with { Exempt = [IPNetwork.Parse("192.0.2.0/28")] }, a => a.Equals(carrier));
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(SipFloodVerdict.Admit, guard.Check(Phone, T0));
            Assert.Equal(SipFloodVerdict.Admit, guard.Check(carrier, T0));
            Assert.Equal(SipFloodVerdict.Admit, guard.Check(IPAddress.Parse("192.0.2.10").MapToIPv6(), T0));
        }

        var verdict = SipFloodVerdict.Admit;
        for (var i = 0; i < 11; i++)
        {
            verdict = guard.Check(Scanner, T0);
        }

        Assert.Equal(SipFloodVerdict.BlockStarted, verdict);
    }

    [Fact]
    public void IPv6_sources_are_counted_by_their_64_and_mapped_IPv4_as_IPv4()
    {
        var guard = new SipFloodGuard(Options);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(SipFloodVerdict.Admit, guard.Check(IPAddress.Parse($"2001:db8:1:2::{i + 1:x}"), T0));
        }

        Assert.Equal(SipFloodVerdict.BlockStarted, guard.Check(IPAddress.Parse("2001:db8:1:2:ffff::1"), T0));
        Assert.Equal(SipFloodVerdict.Admit, guard.Check(IPAddress.Parse("2001:db8:1:3::1"), T0));
        Assert.Equal("2001:db8:1:2::/64", SipFloodSource.Of(IPAddress.Parse("2001:db8:1:2::9")).ToString());
        Assert.Equal(SipFloodSource.Of(Phone), SipFloodSource.Of(Phone.MapToIPv6()));
    }

    [Fact]
    public void A_rate_of_zero_turns_the_guard_off()
    {
        var guard = new SipFloodGuard(Options with { Rate = 0 });
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(SipFloodVerdict.Admit, guard.Check(Scanner, T0)));
        Assert.Equal(0, guard.Tracked);
    }

    [Fact]
    public void Checking_a_known_source_does_not_allocate()
    {
        var guard = new SipFloodGuard(Options with { Rate = int.MaxValue });
        guard.Check(Phone, T0);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            guard.Check(Phone, T0.AddMilliseconds(i));
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
