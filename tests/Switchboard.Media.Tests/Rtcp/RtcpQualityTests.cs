using Switchboard.Media.Rtcp;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Tests.Rtcp;

/// <summary>
/// A leg's quality figures from RTCP (RFC 3550 section 6.4.1): the peer's reception report about our stream gives loss,
/// jitter and, through LSR/DLSR, the round trip; our own reception statistics give the other direction (appendix A.3, A.8).
/// </summary>
public class RtcpQualityTests
{
    private static readonly Ssrc Me = new(100);
    private static readonly Ssrc Peer = new(200);
    private static readonly ulong SrWallClock = NtpTime.FromDateTimeOffset(new DateTimeOffset(2026, 12, 7, 13, 0, 0, TimeSpan.Zero));

    private static RtcpScheduler SentHundredPacketsAndOneSenderReport(Ssrc stream)
    {
        var scheduler = new RtcpScheduler(Me, "leg", 8000, new Random(1), TimeSpan.Zero);
        for (int i = 0; i < 100; i++)
        {
            scheduler.OnRtpSent(stream, unchecked((ushort)(65500 + i)), (uint)(i * 160), 160, TimeSpan.FromMilliseconds(20 * i));
        }

        // Our SR leaves at 2.0 s; the peer will echo its middle 32 bits as LSR.
        Assert.True(scheduler.TryBuildReport(new byte[1500], TimeSpan.FromSeconds(2), SrWallClock, out _));
        return scheduler;
    }

    private static byte[] ReceiverReport(ReportBlock block)
    {
        var buffer = new byte[100];
        Assert.True(RtcpWriter.TryWriteReceiverReport(buffer, Peer, [block], out int n));
        return buffer[..n];
    }

    [Fact]
    public void The_peers_report_gives_cumulative_loss_jitter_and_round_trip()
    {
        var scheduler = SentHundredPacketsAndOneSenderReport(Me);

        // First sequence 65500, 100 packets: the peer's highest is 65599, i.e. 64 past the wrap (cycles 65536).
        // Expected = 65536 + 63 - 65500 + 1 = 100. Lost 5 -> 5 %. Jitter 80 units at 8 kHz = 10 ms. Fraction 64/256 = 25 %.
        // The report arrives at 2.6 s and says it held our SR for DLSR = 32768/65536 s = 500 ms: RTT = 600 - 500 = 100 ms.
        var block = new ReportBlock(Me, 64, 5, 65536 + 63, 80, NtpTime.Middle32(SrWallClock), 32768);
        scheduler.OnRtcpReceived(ReceiverReport(block), TimeSpan.FromMilliseconds(2600));

        var q = scheduler.Quality;
        Assert.Equal(new StreamQuality(100, 5, 10, 25), q.Reported);
        Assert.Equal(5, q.Reported!.Value.LossPercent, 9);
        Assert.Equal(100, q.RoundTripMs!.Value, 9);
        Assert.Null(q.Received);
        Assert.Equal(5, q.LossPercent, 9);
        Assert.Equal(25, q.RecentLossPercent, 9);
        Assert.Equal(10, q.JitterMs, 9);
    }

    [Fact]
    public void A_relayed_stream_is_reported_under_its_own_ssrc_and_our_sr_speaks_for_it()
    {
        var relayed = new Ssrc(0xCAFE);
        var scheduler = SentHundredPacketsAndOneSenderReport(relayed);
        Assert.Equal(relayed, scheduler.SenderSsrc);

        var block = new ReportBlock(relayed, 0, 0, 65536 + 63, 16, NtpTime.Middle32(SrWallClock), 6554);
        scheduler.OnRtcpReceived(ReceiverReport(block), TimeSpan.FromMilliseconds(2300));

        // RTT = 300 ms - 6554/65536 s (100.0061 ms) = 199.99 ms; jitter 16/8 = 2 ms; no loss.
        Assert.Equal(300 - (6554 * 1000.0 / 65536), scheduler.Quality.RoundTripMs!.Value, 9);
        Assert.Equal(new StreamQuality(100, 0, 2, 0), scheduler.Quality.Reported);
    }

    [Fact]
    public void A_block_about_another_source_or_echoing_no_sr_of_ours_changes_nothing()
    {
        var scheduler = SentHundredPacketsAndOneSenderReport(Me);
        scheduler.OnRtcpReceived(ReceiverReport(new ReportBlock(new Ssrc(999), 255, 50, 100, 800, NtpTime.Middle32(SrWallClock), 0)), TimeSpan.FromSeconds(3));
        Assert.False(scheduler.Quality.HasFigures);

        // About us, but LSR 0 (no SR received yet) and then an LSR we never sent: figures, but no round trip.
        scheduler.OnRtcpReceived(ReceiverReport(new ReportBlock(Me, 0, 1, 65536 + 63, 8, 0, 0)), TimeSpan.FromSeconds(3));
        scheduler.OnRtcpReceived(ReceiverReport(new ReportBlock(Me, 0, 1, 65536 + 63, 8, 12345, 0)), TimeSpan.FromSeconds(4));
        Assert.Null(scheduler.Quality.RoundTripMs);
        Assert.Equal(1, scheduler.Quality.LossPercent, 9);
    }

    [Fact]
    public void Our_own_reception_gives_the_other_direction()
    {
        var scheduler = new RtcpScheduler(Me, "leg", 8000, new Random(2), TimeSpan.Zero);
        static RtpHeader Header(ushort seq) => new() { SequenceNumber = seq, Timestamp = seq * 160u, Ssrc = Peer, PayloadType = new PayloadType(0) };

        // 200 packets 20 ms apart, every tenth one lost: from the first valid (after probation) 10 % missing.
        for (ushort s = 0; s < 200; s++)
        {
            if (s % 10 != 5)
            {
                scheduler.OnRtpReceived(Header(s), TimeSpan.FromMilliseconds(20 * s), out _);
            }
        }

        Assert.True(scheduler.TryBuildReport(new byte[1500], TimeSpan.FromSeconds(4), SrWallClock, out _));
        var received = scheduler.Quality.Received!.Value;

        // Valid from sequence 1 (probation of 2): expected 199 (1..199), lost the 20 whose number ends in 5.
        Assert.Equal(199, received.PacketsExpected);
        Assert.Equal(20, received.PacketsLost);
        Assert.Equal(100.0 * 20 / 199, received.LossPercent, 9);

        // Packets arrive exactly on time: transit never changes, so the jitter stays 0 (RFC 3550 appendix A.8).
        Assert.Equal(0, received.JitterMs, 9);

        // The block we built says floor(256 * 20/199) = 25 in 1/256: 9.77 %.
        Assert.Equal(25 * 100.0 / 256, received.RecentLossPercent, 9);
    }
}
