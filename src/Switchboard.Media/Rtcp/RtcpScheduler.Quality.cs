using Switchboard.Media.Rtp;

namespace Switchboard.Media.Rtcp;

/// <summary>
/// The quality figures of the session (<see cref="LegQuality"/>): reception reports about our stream are read as they
/// arrive, and the sender reports we sent are remembered so the peer's LSR/DLSR give the round trip. Fixed-size state
/// only: nothing here allocates, and nothing runs per RTP packet beyond two field writes.
/// </summary>
public sealed partial class RtcpScheduler
{
    /// <summary>Sender reports remembered for round trips: a peer echoes the last it received, at most a few intervals back.</summary>
    private const int RememberedSenderReports = 4;

    /// <summary>Slack for packets still in flight when we compare the peer's expected count with what we sent.</summary>
    private const long InFlightSlack = 100;

    private readonly uint[] sentReportMiddle = new uint[RememberedSenderReports];
    private readonly TimeSpan[] sentReportAt = new TimeSpan[RememberedSenderReports];
    private int sentReportNext;
    private int sentReportCount;
    private bool haveFirstSequence;
    private ushort firstSequenceSent;
    private StreamQuality? reported;
    private double? roundTripMs;
    private double ownRecentLossPercent;
    private Ssrc ownRecentSource;

    /// <summary>
    /// The SSRC our sender reports carry: that of the last RTP packet we sent. A relay that forwards the far leg's
    /// packets unchanged (its SSRC, sequence, timestamp) speaks for that stream on this leg, as a translator that
    /// terminates RTCP does (RFC 3550 section 7.1 and 7.2): the peer then echoes our SR in its block about that stream.
    /// </summary>
    public Ssrc SenderSsrc { get; private set; }

    /// <summary>The figures as of now; cheap, allocation-free, for the owner's thread.</summary>
    public LegQuality Quality => new(Received(), reported, roundTripMs);

    private void NoteSent(Ssrc source, ushort? sequence)
    {
        if (source != SenderSsrc)
        {
            // A new stream: the peer starts counting it afresh, and so do the sender report's packet and octet
            // counts, which speak for one SSRC (RFC 3550 section 6.4.1: "reset if the sender changes its SSRC").
            SenderSsrc = source;
            haveFirstSequence = false;
            packetsSent = 0;
            octetsSent = 0;
        }

        if (!haveFirstSequence && sequence is { } first)
        {
            haveFirstSequence = true;
            firstSequenceSent = first;
        }
    }

    private void NoteSenderReportSent(ulong wallClockNtp, TimeSpan now)
    {
        sentReportMiddle[sentReportNext] = NtpTime.Middle32(wallClockNtp);
        sentReportAt[sentReportNext] = now;
        sentReportNext = (sentReportNext + 1) % RememberedSenderReports;
        sentReportCount = Math.Min(sentReportCount + 1, RememberedSenderReports);
    }

    private void NoteOwnBlock(RtpReceiveStatistics stats, in ReportBlock block)
    {
        ownRecentSource = stats.Source;
        ownRecentLossPercent = block.FractionLost * 100.0 / 256;
    }

    /// <summary>Reads the blocks of an SR or RR that are about the stream we send (RFC 3550 section 6.4.1).</summary>
    private void OnReportBlocks(in RtcpReport report, TimeSpan arrival)
    {
        for (int i = 0; i < report.BlockCount; i++)
        {
            ReportBlock block = report.GetBlock(i);
            if (block.Source != SenderSsrc && block.Source != LocalSsrc)
            {
                continue;
            }

            // Expected: from the first sequence number we sent in this stream to the highest the peer saw (appendix A.3).
            long expected = haveFirstSequence ? (long)unchecked(block.ExtendedHighestSequence - firstSequenceSent) + 1 : 0;
            if (expected <= 0 || expected > (long)packetsSent + InFlightSlack)
            {
                // A count we cannot place (a stream restarted, a sequence we did not track): loss from the count we sent.
                expected = packetsSent;
            }

            reported = new StreamQuality(expected, block.CumulativeLost, block.Jitter * 1000.0 / ClockRate, block.FractionLost * 100.0 / 256);
            if (RoundTrip(block, arrival) is { } rtt)
            {
                roundTripMs = rtt;
            }
        }
    }

    /// <summary>
    /// RFC 3550 section 6.4.1: round trip = A - LSR - DLSR, A being the report's arrival. We keep, for each SR we sent, its
    /// LSR value and our monotonic send time: A - LSR is then the time since that send on our own clock, and no wall
    /// clock is read on arrival. Null when the block echoes no SR of ours (LSR 0, or one too old).
    /// </summary>
    private double? RoundTrip(in ReportBlock block, TimeSpan arrival)
    {
        if (block.LastSenderReport == 0)
        {
            return null;
        }

        for (int i = 0; i < sentReportCount; i++)
        {
            if (sentReportMiddle[i] == block.LastSenderReport)
            {
                double ms = (arrival - sentReportAt[i]).TotalMilliseconds - (block.DelaySinceLastSenderReport * 1000.0 / 65536);
                return Math.Max(0, ms);
            }
        }

        return null;
    }

    /// <summary>Our reception of the peer's main stream: the valid source that sent the most.</summary>
    private StreamQuality? Received()
    {
        RtpReceiveStatistics? main = null;
        // The pairs, not Values: the first read of Values allocates its collection object.
        foreach ((_, RtpReceiveStatistics stats) in sources)
        {
            if (stats.IsValid && (main is null || stats.PacketsExpected > main.PacketsExpected))
            {
                main = stats;
            }
        }

        return main is null
            ? null
            : new StreamQuality(main.PacketsExpected, main.PacketsLost, main.Jitter * 1000.0 / ClockRate, main.Source == ownRecentSource ? ownRecentLossPercent : 0);
    }
}
