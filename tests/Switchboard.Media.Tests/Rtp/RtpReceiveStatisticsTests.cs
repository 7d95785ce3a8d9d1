using Switchboard.Media.Rtp;

namespace Switchboard.Media.Tests.Rtp;

public class RtpReceiveStatisticsTests
{
    private static readonly TimeSpan Ptime = TimeSpan.FromMilliseconds(20);

    [Fact]
    public void Source_is_valid_after_two_packets_in_sequence()
    {
        var stats = new RtpReceiveStatistics(new Ssrc(1), 8000);
        Assert.Equal(RtpSequenceStatus.Probation, stats.Update(100, 0, TimeSpan.Zero));
        Assert.False(stats.IsValid);
        Assert.Equal(RtpSequenceStatus.Accepted, stats.Update(101, 160, Ptime));
        Assert.True(stats.IsValid);
        Assert.Equal(101, stats.ExtendedHighestSequence);
    }

    [Fact]
    public void Extended_sequence_counts_wraps_past_32_bits_of_packets()
    {
        var stats = new RtpReceiveStatistics(new Ssrc(1), 8000, minSequential: 0);
        ushort seq = 65530;
        uint ts = 0;
        var t = TimeSpan.Zero;
        for (int i = 0; i < 70_000; i++)
        {
            stats.Update(seq, ts, t);
            seq++;
            ts += 160;
            t += Ptime;
        }

        Assert.Equal(65530 + 70_000 - 1, stats.ExtendedHighestSequence);
        Assert.Equal(70_000, stats.PacketsReceived);
        Assert.Equal(0, stats.PacketsLost);
    }

    [Fact]
    public void Sequence_wrap_with_reordering_keeps_the_cycle_count()
    {
        var stats = new RtpReceiveStatistics(new Ssrc(1), 8000, minSequential: 0);
        stats.Update(65534, 0, TimeSpan.Zero);
        stats.Update(65535, 160, Ptime);
        Assert.Equal(RtpSequenceStatus.Accepted, stats.Update(1, 480, 3 * Ptime));
        Assert.Equal(65536 + 1, stats.ExtendedHighestSequence);

        // Late packet from before the wrap.
        Assert.Equal(RtpSequenceStatus.Reordered, stats.Update(0, 320, 3 * Ptime));
        Assert.Equal(65536 + 1, stats.ExtendedHighestSequence);
        Assert.Equal(65536 + 0, stats.ExtendSequence(0));
        Assert.Equal(65535, stats.ExtendSequence(65535));
        Assert.Equal(0, stats.PacketsLost);
    }

    [Fact]
    public void Loss_and_fraction_lost_per_interval()
    {
        var stats = new RtpReceiveStatistics(new Ssrc(7), 8000, minSequential: 0);
        for (ushort s = 0; s < 100; s++)
        {
            if (s % 4 != 3)
            {
                stats.Update(s, s * 160u, s * Ptime);
            }
        }

        // 0..98 received except every 4th: highest 98, expected 99, received 75.
        var block = stats.CreateReportBlock(TimeSpan.FromSeconds(2));
        Assert.Equal(new Ssrc(7), block.Source);
        Assert.Equal(98u, block.ExtendedHighestSequence);
        Assert.Equal(24, block.CumulativeLost);
        Assert.Equal((byte)(24 * 256 / 99), block.FractionLost);

        // The next interval reveals that 99 was lost too: 1 of 11 expected.
        for (ushort s = 100; s < 110; s++)
        {
            stats.Update(s, s * 160u, s * Ptime);
        }

        block = stats.CreateReportBlock(TimeSpan.FromSeconds(3));
        Assert.Equal((byte)(256 / 11), block.FractionLost);
        Assert.Equal(25, block.CumulativeLost);

        // And an interval with nothing lost.
        for (ushort s = 110; s < 120; s++)
        {
            stats.Update(s, s * 160u, s * Ptime);
        }

        Assert.Equal(0, stats.CreateReportBlock(TimeSpan.FromSeconds(4)).FractionLost);
    }

    [Fact]
    public void Jitter_is_zero_for_perfect_pacing_and_grows_with_variation()
    {
        var steady = new RtpReceiveStatistics(new Ssrc(1), 8000, minSequential: 0);
        var jittery = new RtpReceiveStatistics(new Ssrc(2), 8000, minSequential: 0);
        for (ushort s = 0; s < 500; s++)
        {
            steady.Update(s, s * 160u, s * Ptime);
            var wobble = TimeSpan.FromMilliseconds(s % 2 == 0 ? 0 : 10);
            jittery.Update(s, s * 160u, (s * Ptime) + wobble);
        }

        Assert.Equal(0u, steady.Jitter);

        // |D| alternates 80 units (10 ms at 8 kHz); J converges towards 80.
        Assert.InRange(jittery.Jitter, 70u, 80u);
    }

    [Fact]
    public void A_confirmed_big_jump_restarts_the_sequence()
    {
        var stats = new RtpReceiveStatistics(new Ssrc(1), 8000, minSequential: 0);
        stats.Update(10, 0, TimeSpan.Zero);
        stats.Update(11, 160, Ptime);
        Assert.Equal(RtpSequenceStatus.BadSequence, stats.Update(40_000, 320, 2 * Ptime));
        Assert.Equal(RtpSequenceStatus.Restarted, stats.Update(40_001, 480, 3 * Ptime));
        Assert.Equal(40_001, stats.ExtendedHighestSequence);
        Assert.Equal(1, stats.PacketsReceived);
    }

    [Fact]
    public void Lsr_and_dlsr_come_from_the_last_sender_report()
    {
        var stats = new RtpReceiveStatistics(new Ssrc(1), 8000, minSequential: 0);
        stats.Update(1, 0, TimeSpan.Zero);
        stats.OnSenderReport(0x0123_4567_89AB_CDEF, TimeSpan.FromSeconds(10));
        var block = stats.CreateReportBlock(TimeSpan.FromSeconds(10.5));
        Assert.Equal(0x4567_89ABu, block.LastSenderReport);
        Assert.Equal(32768u, block.DelaySinceLastSenderReport);
    }

    [Fact]
    public void Update_does_not_allocate()
    {
        var stats = new RtpReceiveStatistics(new Ssrc(1), 8000);
        stats.Update(0, 0, TimeSpan.Zero);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (ushort s = 1; s < 1000; s++)
        {
            stats.Update(s, s * 160u, s * Ptime);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
