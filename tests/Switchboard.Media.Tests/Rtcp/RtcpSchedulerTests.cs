using Switchboard.Media.Rtcp;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Tests.Rtcp;

public class RtcpSchedulerTests
{
    private static readonly Ssrc Me = new(100);
    private static readonly Ssrc Peer = new(200);

    private static RtpHeader Header(ushort seq, uint ts) => new() { SequenceNumber = seq, Timestamp = ts, Ssrc = Peer, PayloadType = new PayloadType(0) };

    [Fact]
    public void Reports_are_due_between_half_and_one_and_a_half_intervals()
    {
        var random = new Random(1);
        var start = TimeSpan.FromSeconds(100);
        var scheduler = new RtcpScheduler(Me, "cname", 8000, random, start);
        Assert.InRange(scheduler.NextReportDue, start + TimeSpan.FromSeconds(1.25), start + TimeSpan.FromSeconds(3.75));

        var buffer = new byte[1500];
        TimeSpan now = scheduler.NextReportDue;
        for (int i = 0; i < 50; i++)
        {
            Assert.True(scheduler.IsReportDue(now));
            Assert.True(scheduler.TryBuildReport(buffer, now, 0, out _));
            TimeSpan gap = scheduler.NextReportDue - now;
            Assert.InRange(gap, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(7.5));
            Assert.False(scheduler.IsReportDue(now + (gap / 2)));
            now = scheduler.NextReportDue;
        }
    }

    [Fact]
    public void Receiver_only_builds_rr_with_a_block_and_cname()
    {
        var scheduler = new RtcpScheduler(Me, "leg-1", 8000, new Random(2), TimeSpan.Zero);
        for (ushort s = 0; s < 50; s++)
        {
            if (s != 20)
            {
                Assert.True(scheduler.OnRtpReceived(Header(s, s * 160u), s * TimeSpan.FromMilliseconds(20), out _));
            }
        }

        var buffer = new byte[1500];
        Assert.True(scheduler.TryBuildReport(buffer, TimeSpan.FromSeconds(1), 0, out int n));
        var reader = new RtcpCompoundReader(buffer.AsSpan(0, n));
        Assert.Equal(RtcpParseStatus.Ok, reader.TryReadNext(out RtcpPacket p));
        Assert.Equal(RtcpParseStatus.Ok, RtcpReport.TryParse(p, out RtcpReport rr));
        Assert.False(rr.IsSenderReport);
        Assert.Equal(Me, rr.Reporter);
        Assert.Equal(1, rr.BlockCount);
        ReportBlock block = rr.GetBlock(0);
        Assert.Equal(Peer, block.Source);
        Assert.Equal(49u, block.ExtendedHighestSequence);
        Assert.Equal(1, block.CumulativeLost);
        Assert.Equal(RtcpParseStatus.Ok, reader.TryReadNext(out p));
        Assert.Equal(RtcpPacketType.SourceDescription, p.Type);
        Assert.Equal(RtcpParseStatus.End, reader.TryReadNext(out _));
    }

    [Fact]
    public void Sender_report_counts_start_again_when_the_stream_we_speak_for_changes()
    {
        // A relay forwards the far leg's stream; a transfer or a new far phone brings another SSRC, and the counts in
        // the next SR must be that stream's alone (RFC 3550 section 6.4.1).
        var scheduler = new RtcpScheduler(Me, "leg-1", 8000, new Random(4), TimeSpan.Zero);
        var first = new Ssrc(300);
        var second = new Ssrc(400);
        for (int i = 0; i < 10; i++)
        {
            scheduler.OnRtpSent(first, (ushort)i, (uint)(i * 160), 160, TimeSpan.FromMilliseconds(20 * i));
        }

        for (int i = 0; i < 3; i++)
        {
            scheduler.OnRtpSent(second, (ushort)(5000 + i), (uint)(90000 + (i * 160)), 80, TimeSpan.FromMilliseconds(200 + (20 * i)));
        }

        var buffer = new byte[1500];
        Assert.True(scheduler.TryBuildReport(buffer, TimeSpan.FromMilliseconds(240), 0, out int n));
        Assert.Equal(RtcpParseStatus.Ok, RtcpCompoundReader.TryReadOne(buffer.AsSpan(0, n), out RtcpPacket p, out _));
        Assert.Equal(RtcpParseStatus.Ok, RtcpReport.TryParse(p, out RtcpReport sr));
        Assert.True(sr.IsSenderReport);
        Assert.Equal(second, sr.Reporter);
        Assert.Equal(3u, sr.SenderInfo.PacketCount);
        Assert.Equal(240u, sr.SenderInfo.OctetCount);
    }

    [Fact]
    public void Sender_builds_sr_with_counts_and_extrapolated_rtp_timestamp()
    {
        var scheduler = new RtcpScheduler(Me, "leg-1", 8000, new Random(3), TimeSpan.Zero);
        for (int i = 0; i < 10; i++)
        {
            scheduler.OnRtpSent((uint)(1000 + (i * 160)), 160, TimeSpan.FromMilliseconds(20 * i));
        }

        var buffer = new byte[1500];
        ulong ntp = NtpTime.FromDateTimeOffset(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

        // Last packet at 180 ms with ts 2440; report at 280 ms -> 800 units later.
        Assert.True(scheduler.TryBuildReport(buffer, TimeSpan.FromMilliseconds(280), ntp, out int n));
        Assert.Equal(RtcpParseStatus.Ok, RtcpCompoundReader.TryReadOne(buffer.AsSpan(0, n), out RtcpPacket p, out _));
        Assert.Equal(RtcpParseStatus.Ok, RtcpReport.TryParse(p, out RtcpReport sr));
        Assert.True(sr.IsSenderReport);
        Assert.Equal(new SenderInfo(ntp, 2440 + 800, 10, 1600), sr.SenderInfo);
    }

    [Fact]
    public void Sender_report_from_the_peer_feeds_lsr_and_dlsr_and_bye_forgets_it()
    {
        var scheduler = new RtcpScheduler(Me, "leg-1", 8000, new Random(4), TimeSpan.Zero);
        scheduler.OnRtpReceived(Header(1, 0), TimeSpan.Zero, out _);
        scheduler.OnRtpReceived(Header(2, 160), TimeSpan.FromMilliseconds(20), out _);

        var peerSr = new byte[100];
        RtcpWriter.TryWriteSenderReport(peerSr, Peer, new SenderInfo(0x0000_1111_2222_0000, 0, 1, 1), [], out int n);
        scheduler.OnRtcpReceived(peerSr.AsSpan(0, n), TimeSpan.FromSeconds(1));

        var buffer = new byte[1500];
        Assert.True(scheduler.TryBuildReport(buffer, TimeSpan.FromSeconds(3), 0, out int written));
        RtcpCompoundReader.TryReadOne(buffer.AsSpan(0, written), out RtcpPacket p, out _);
        RtcpReport.TryParse(p, out RtcpReport rr);
        Assert.Equal(0x1111_2222u, rr.GetBlock(0).LastSenderReport);
        Assert.Equal(2u * 65536, rr.GetBlock(0).DelaySinceLastSenderReport);

        var bye = new byte[100];
        RtcpWriter.TryWriteBye(bye, [Peer], [], out n);
        scheduler.OnRtcpReceived(bye.AsSpan(0, n), TimeSpan.FromSeconds(4));
        Assert.False(scheduler.TryGetSource(Peer, out _));
    }

    [Fact]
    public void Bye_compound_parses()
    {
        var scheduler = new RtcpScheduler(Me, "leg-1", 8000, new Random(5), TimeSpan.Zero);
        var buffer = new byte[200];
        Assert.True(scheduler.TryBuildBye(buffer, "call ended"u8, out int n));
        var reader = new RtcpCompoundReader(buffer.AsSpan(0, n));
        Assert.Equal(RtcpParseStatus.Ok, reader.TryReadNext(out RtcpPacket p));
        Assert.Equal(RtcpPacketType.ReceiverReport, p.Type);
        Assert.Equal(RtcpParseStatus.Ok, reader.TryReadNext(out p));
        Assert.Equal(RtcpParseStatus.Ok, reader.TryReadNext(out p));
        Assert.Equal(RtcpParseStatus.Ok, RtcpBye.TryParse(p, out RtcpBye bye));
        Assert.Equal(Me, bye.GetSource(0));
    }

    [Fact]
    public void Sources_beyond_the_cap_are_not_tracked()
    {
        var scheduler = new RtcpScheduler(Me, "leg-1", 8000, new Random(6), TimeSpan.Zero);
        for (uint i = 0; i < RtcpScheduler.MaxRemoteSources; i++)
        {
            Assert.True(scheduler.OnRtpReceived(new RtpHeader { Ssrc = new Ssrc(1000 + i) }, TimeSpan.Zero, out _));
        }

        Assert.False(scheduler.OnRtpReceived(new RtpHeader { Ssrc = new Ssrc(5000) }, TimeSpan.Zero, out _));
    }

    [Fact]
    public void Steady_state_receive_and_report_do_not_allocate()
    {
        var scheduler = new RtcpScheduler(Me, "leg-1", 8000, new Random(7), TimeSpan.Zero);
        var buffer = new byte[1500];

        // Warm up every path once (first calls run static constructors, which allocate).
        scheduler.OnRtpReceived(Header(0, 0), TimeSpan.Zero, out _);
        scheduler.OnRtpReceived(Header(1, 160), TimeSpan.FromMilliseconds(20), out _);
        scheduler.OnRtpSent(0, 160, TimeSpan.Zero);
        scheduler.TryBuildReport(buffer, TimeSpan.FromSeconds(1), 0, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (ushort s = 2; s < 500; s++)
        {
            scheduler.OnRtpReceived(Header(s, s * 160u), s * TimeSpan.FromMilliseconds(20), out _);
            scheduler.OnRtpSent(s * 160u, 160, s * TimeSpan.FromMilliseconds(20));
        }

        scheduler.TryBuildReport(buffer, TimeSpan.FromSeconds(11), 0, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
