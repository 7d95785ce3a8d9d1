using Microsoft.Extensions.Time.Testing;
using Switchboard.Media.Rtcp;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Tests.Rtcp;

/// <summary>
/// Round trips from RTCP (RFC 3550 section 6.4.1, appendix A.8): the compact NTP arithmetic of section 6.4.1's figure 2,
/// and two sessions on a fake clock that exchange RTP and reports over a path with a known delay, each echoing the
/// other's sender reports in its report blocks (LSR/DLSR), so each measures the path's round trip.
/// </summary>
public sealed class RtcpRoundTripTests
{
    private static readonly Ssrc Me = new(0x1111);
    private static readonly Ssrc Peer = new(0x2222);

    /// <summary>RFC 3550 section 6.4.1, figure 2: the SR leaves at 10 Nov 1995 11:33:25.125 UTC, the RR arrives at 11:33:36.5.</summary>
    private static readonly DateTimeOffset FigureSrSent = new(1995, 11, 10, 11, 33, 25, 125, TimeSpan.Zero);

    [Fact]
    public void The_ntp_timestamps_of_rfc3550_figure_2()
    {
        // ntp_sec = 0xb44db705 (3024992005 s since 1900), ntp_frac = 0x20000000 (0.125 s).
        var sr = NtpTime.FromDateTimeOffset(FigureSrSent);
        Assert.Equal(0xb44db705_20000000UL, sr);

        // LSR is the middle 32 bits: 0xb705:2000 (46853.125 s); A, the arrival, in the same compact form: 0xb710:8000.
        Assert.Equal(0xb7052000u, NtpTime.Middle32(sr));
        Assert.Equal(0xb7108000u, NtpTime.Middle32(NtpTime.FromDateTimeOffset(new DateTimeOffset(1995, 11, 10, 11, 33, 36, 500, TimeSpan.Zero))));
    }

    [Fact]
    public void The_round_trip_of_rfc3550_figure_2_is_6_125_seconds()
    {
        // Our SR carries the figure's wall clock; the peer's RR echoes LSR 0xb7052000 with DLSR 0x0005:4000 (5.25 s) and
        // arrives 11.375 s after it left (A - LSR = 0xb710:8000 - 0xb705:2000): delay = A - LSR - DLSR = 0x0006:2000, 6.125 s.
        var sentAt = TimeSpan.FromSeconds(100);
        var scheduler = new RtcpScheduler(Me, "figure-2", 8000, new Random(1), TimeSpan.Zero);
        scheduler.OnRtpSent(Me, 1, 160, 160, sentAt);
        Assert.True(scheduler.TryBuildReport(new byte[1500], sentAt, NtpTime.FromDateTimeOffset(FigureSrSent), out _));

        var rr = new byte[64];
        Assert.True(RtcpWriter.TryWriteReceiverReport(rr, Peer, [new ReportBlock(Me, 0, 0, 1, 0, 0xb7052000, 0x00054000)], out var n));
        scheduler.OnRtcpReceived(rr.AsSpan(0, n), sentAt + TimeSpan.FromMilliseconds(11_375));

        Assert.Equal(6125, scheduler.Quality.RoundTripMs!.Value, 9);
    }

    [Fact]
    public void Two_sessions_on_a_fake_clock_measure_the_round_trip_of_a_30_ms_path_both_ways()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 16, 0, 0, TimeSpan.Zero));
        var start = time.GetTimestamp();
        TimeSpan Now() => time.GetElapsedTime(start);
        ulong Wall() => NtpTime.FromDateTimeOffset(time.GetUtcNow());

        var oneWay = TimeSpan.FromMilliseconds(30);
        var us = new RtcpScheduler(Me, "pbx", 8000, new Random(7), Now());
        var them = new RtcpScheduler(Peer, "phone", 8000, new Random(8), Now());
        var inFlight = new List<(TimeSpan At, bool ToUs, byte[] Rtcp, RtpHeader Rtp)>();
        var ourReports = new List<TimeSpan>();
        TimeSpan? ourRoundTripKnown = null;
        var buffer = new byte[1500];
        ushort sequence = 0;

        // 20 s of a call in 1 ms steps: each side sends a packet every 20 ms and reports when its scheduler says so.
        for (var ms = 0; ms < 20_000; ms++, time.Advance(TimeSpan.FromMilliseconds(1)))
        {
            var now = Now();

            // Arrivals in the order they were sent (one delay for all: the path does not reorder).
            var due = inFlight.TakeWhile(p => p.At <= now).ToList();
            inFlight.RemoveRange(0, due.Count);
            foreach (var (_, toUs, rtcp, rtp) in due)
            {
                var receiver = toUs ? us : them;
                if (rtcp.Length > 0)
                {
                    receiver.OnRtcpReceived(rtcp, now);
                }
                else
                {
                    receiver.OnRtpReceived(rtp, now, out _);
                }
            }

            if (ms % 20 == 0)
            {
                var timestamp = (uint)(ms * 8);
                us.OnRtpSent(Me, sequence, timestamp, 160, now);
                them.OnRtpSent(Peer, sequence, timestamp, 160, now);
                inFlight.Add((now + oneWay, false, [], new RtpHeader { SequenceNumber = sequence, Timestamp = timestamp, Ssrc = Me }));
                inFlight.Add((now + oneWay, true, [], new RtpHeader { SequenceNumber = sequence, Timestamp = timestamp, Ssrc = Peer }));
                sequence++;
            }

            foreach (var (session, toUs) in new[] { (us, false), (them, true) })
            {
                if (session.IsReportDue(now))
                {
                    Assert.True(session.TryBuildReport(buffer, now, Wall(), out var n));
                    inFlight.Add((now + oneWay, toUs, buffer[..n], default));
                    if (session == us)
                    {
                        ourReports.Add(now);
                    }
                }
            }

            if (ourRoundTripKnown is null && us.Quality.RoundTripMs is not null)
            {
                ourRoundTripKnown = now;
            }
        }

        // The first report left with the first packet (RFC 3550 section 6.2), then one every 2.5 to 7.5 s (section 6.3).
        Assert.Equal(TimeSpan.Zero, ourReports[0]);
        for (var i = 1; i < ourReports.Count; i++)
        {
            Assert.InRange(ourReports[i] - ourReports[i - 1], TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(7.5));
        }

        // Each side's report blocks echo the other's last SR and how long it held it: both measure 60 ms, to within the
        // 1/65536 s of DLSR. Ours is known with the peer's first report after our first SR reached it.
        Assert.InRange(us.Quality.RoundTripMs!.Value, 59.95, 60.05);
        Assert.InRange(them.Quality.RoundTripMs!.Value, 59.95, 60.05);
        Assert.NotNull(ourRoundTripKnown);
        Assert.InRange(ourRoundTripKnown.Value, TimeSpan.FromMilliseconds(60), TimeSpan.FromSeconds(7.5) + oneWay);
    }

    [Fact]
    public void A_sender_report_that_overtakes_the_sources_first_rtp_is_still_echoed()
    {
        // The peer's first report may leave with its first packet and reach us first: its SR is kept for our next block.
        var scheduler = new RtcpScheduler(Me, "pbx", 8000, new Random(3), TimeSpan.Zero);
        var sr = new byte[64];
        Assert.True(RtcpWriter.TryWriteSenderReport(sr, Peer, new SenderInfo(0x0000_abcd_ef01_0000, 0, 1, 160), [], out var n));
        scheduler.OnRtcpReceived(sr.AsSpan(0, n), TimeSpan.FromSeconds(1));
        for (ushort s = 0; s < 3; s++)
        {
            scheduler.OnRtpReceived(new RtpHeader { SequenceNumber = s, Timestamp = s * 160u, Ssrc = Peer }, TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(20 * s), out _);
        }

        var report = new byte[1500];
        Assert.True(scheduler.TryBuildReport(report, TimeSpan.FromSeconds(1.5), 0, out var written));
        Assert.Equal(RtcpParseStatus.Ok, RtcpCompoundReader.TryReadOne(report.AsSpan(0, written), out var packet, out _));
        Assert.Equal(RtcpParseStatus.Ok, RtcpReport.TryParse(packet, out var rr));
        var block = rr.GetBlock(0);
        Assert.Equal(Peer, block.Source);
        Assert.Equal(0xabcd_ef01u, block.LastSenderReport);
        Assert.Equal(65536u / 2, block.DelaySinceLastSenderReport);
    }
}
