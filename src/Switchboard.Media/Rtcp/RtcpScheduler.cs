using System.Text;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Rtcp;

/// <summary>
/// The RTCP side of one RTP session, sans-IO: it is told what was sent and received (with times as
/// inputs, the owner's shard clock), says when the next report is due, and writes SR/RR + SDES CNAME
/// compound packets into a caller buffer. A simplified RFC 3550 section 6.2/6.3 for a two-party unicast
/// session: a fixed interval (5 s by default) randomised by a factor in [0.5, 1.5); the first report after
/// half an interval (appendix A.7, "initial"), or at once with the first RTP packet we send (section 6.2:
/// in unicast the delay before the initial compound packet MAY be zero), so that the peer's first report
/// can already echo our SR. One owner; no locks; no allocation per packet or per report.
/// </summary>
public sealed partial class RtcpScheduler
{
    /// <summary>Remote sources tracked at most; more are ignored (a spoofing guard).</summary>
    public const int MaxRemoteSources = 8;

    private readonly Dictionary<Ssrc, RtpReceiveStatistics> sources = [];
    private readonly byte[] cname;
    private readonly Random random;
    private readonly TimeSpan interval;
    private bool reportBuilt;
    private bool sentSinceLastReport;
    private bool sentInPreviousInterval;
    private uint packetsSent;
    private uint octetsSent;
    private uint lastRtpTimestamp;
    private TimeSpan lastRtpSentAt;

    /// <param name="localSsrc">Our SSRC.</param>
    /// <param name="cname">Our canonical name (RFC 7022 suggests a random 16-byte identifier).</param>
    /// <param name="clockRate">RTP clock rate of what we send and receive.</param>
    /// <param name="random">Randomness for the interval (seed it in tests).</param>
    /// <param name="now">Monotonic time at session start.</param>
    /// <param name="interval">Deterministic report interval; 5 s when null.</param>
    public RtcpScheduler(Ssrc localSsrc, string cname, int clockRate, Random random, TimeSpan now, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(cname);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        this.cname = Encoding.UTF8.GetBytes(cname);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(this.cname.Length, 255, nameof(cname));
        LocalSsrc = localSsrc;
        SenderSsrc = localSsrc;
        ClockRate = clockRate;
        this.random = random;
        this.interval = interval ?? TimeSpan.FromSeconds(5);
        NextReportDue = now + (this.interval / 2 * RandomFactor());
    }

    public Ssrc LocalSsrc { get; }

    public int ClockRate { get; }

    /// <summary>When <see cref="TryBuildReport"/> should next be called.</summary>
    public TimeSpan NextReportDue { get; private set; }

    public uint PacketsSent => packetsSent;

    public uint OctetsSent => octetsSent;

    public bool IsReportDue(TimeSpan now) => now >= NextReportDue;

    /// <summary>Counts one RTP packet we sent in our own SSRC.</summary>
    public void OnRtpSent(uint rtpTimestamp, int payloadLength, TimeSpan now) => OnRtpSent(LocalSsrc, null, rtpTimestamp, payloadLength, now);

    /// <summary>
    /// Counts one RTP packet we sent in <paramref name="source"/>'s stream: our own SSRC, or the far leg's when a
    /// relay forwards its packets unchanged (our sender reports then speak for that stream, see <see cref="SenderSsrc"/>).
    /// <paramref name="sequence"/> is the packet's sequence number, for the loss the peer reports (null: not tracked).
    /// </summary>
    public void OnRtpSent(Ssrc source, ushort? sequence, uint rtpTimestamp, int payloadLength, TimeSpan now)
    {
        NoteSent(source, sequence);
        packetsSent = unchecked(packetsSent + 1);
        octetsSent = unchecked(octetsSent + (uint)payloadLength);
        lastRtpTimestamp = rtpTimestamp;
        lastRtpSentAt = now;
        sentSinceLastReport = true;
        if (!reportBuilt && now < NextReportDue)
        {
            // The first report leaves with our first packet, as an SR (RFC 3550 section 6.2, see the class summary).
            NextReportDue = now;
        }
    }

    /// <summary>Counts one RTP packet received. Returns false when the source was not tracked (too many sources).</summary>
    public bool OnRtpReceived(in RtpHeader header, TimeSpan arrival, out RtpSequenceStatus status)
    {
        status = RtpSequenceStatus.Probation;
        if (Source(header.Ssrc) is not { } stats)
        {
            return false;
        }

        status = stats.Update(header.SequenceNumber, header.Timestamp, arrival);
        return true;
    }

    /// <summary>The statistics of a remote source, made at its first RTP or SR; null beyond <see cref="MaxRemoteSources"/>.</summary>
    private RtpReceiveStatistics? Source(Ssrc ssrc)
    {
        if (!sources.TryGetValue(ssrc, out RtpReceiveStatistics? stats))
        {
            if (sources.Count >= MaxRemoteSources)
            {
                return null;
            }

            stats = new RtpReceiveStatistics(ssrc, ClockRate);
            sources.Add(ssrc, stats);
        }

        return stats;
    }

    public bool TryGetSource(Ssrc source, out RtpReceiveStatistics? statistics) => sources.TryGetValue(source, out statistics);

    /// <summary>
    /// Takes in a received compound RTCP packet: remembers SR timestamps for LSR/DLSR, reads the
    /// report blocks about our stream (<see cref="Quality"/>) and forgets sources that said BYE. Malformed input is ignored from the first bad packet on.
    /// </summary>
    public void OnRtcpReceived(ReadOnlySpan<byte> datagram, TimeSpan arrival)
    {
        var reader = new RtcpCompoundReader(datagram);
        while (reader.TryReadNext(out RtcpPacket packet) == RtcpParseStatus.Ok)
        {
            if (packet.Type is RtcpPacketType.SenderReport or RtcpPacketType.ReceiverReport
                && RtcpReport.TryParse(packet, out RtcpReport report) == RtcpParseStatus.Ok)
            {
                if (report.IsSenderReport && Source(report.Reporter) is { } stats)
                {
                    // Kept even when the SR overtook the source's first RTP packet (our first report leaves with our
                    // first packet, and a peer may do the same): the next block about it echoes this SR.
                    stats.OnSenderReport(report.SenderInfo.NtpTimestamp, arrival);
                }

                OnReportBlocks(report, arrival);
            }
            else if (packet.Type == RtcpPacketType.Goodbye && RtcpBye.TryParse(packet, out RtcpBye bye) == RtcpParseStatus.Ok)
            {
                for (int i = 0; i < bye.SourceCount; i++)
                {
                    sources.Remove(bye.GetSource(i));
                }
            }
        }
    }

    /// <summary>
    /// Writes SR (if we sent RTP in the last two intervals, RFC 3550 section 6.4) or RR, then SDES
    /// CNAME, and schedules the next report. <paramref name="wallClockNtp"/> is the wall clock as NTP
    /// (<see cref="NtpTime.FromDateTimeOffset"/> of <c>TimeProvider.GetUtcNow()</c>).
    /// </summary>
    public bool TryBuildReport(Span<byte> destination, TimeSpan now, ulong wallClockNtp, out int bytesWritten)
    {
        bytesWritten = 0;
        Span<ReportBlock> blocks = stackalloc ReportBlock[MaxRemoteSources];
        int count = 0;
        // The pairs, not Values: the first read of Values allocates its collection object.
        foreach ((_, RtpReceiveStatistics stats) in sources)
        {
            if (stats.IsValid)
            {
                blocks[count++] = stats.CreateReportBlock(now);
                NoteOwnBlock(stats, blocks[count - 1]);
            }
        }

        bool sender = sentSinceLastReport || sentInPreviousInterval;
        Ssrc reporter = sender ? SenderSsrc : LocalSsrc;
        int written;
        bool ok = sender
            ? RtcpWriter.TryWriteSenderReport(destination, reporter, CurrentSenderInfo(now, wallClockNtp), blocks[..count], out written)
            : RtcpWriter.TryWriteReceiverReport(destination, reporter, blocks[..count], out written);
        if (!ok || !RtcpWriter.TryWriteSdesCname(destination[written..], reporter, cname, out int sdes))
        {
            return false;
        }

        if (sender)
        {
            NoteSenderReportSent(wallClockNtp, now);
        }

        bytesWritten = written + sdes;
        reportBuilt = true;
        sentInPreviousInterval = sentSinceLastReport;
        sentSinceLastReport = false;
        NextReportDue = now + (interval * RandomFactor());
        return true;
    }

    /// <summary>Writes RR + SDES CNAME + BYE for leaving the session (RFC 3550 section 6.6).</summary>
    public bool TryBuildBye(Span<byte> destination, ReadOnlySpan<byte> reason, out int bytesWritten)
    {
        bytesWritten = 0;
        ReadOnlySpan<Ssrc> self = [LocalSsrc];
        if (!RtcpWriter.TryWriteReceiverReport(destination, LocalSsrc, [], out int rr)
            || !RtcpWriter.TryWriteSdesCname(destination[rr..], LocalSsrc, cname, out int sdes)
            || !RtcpWriter.TryWriteBye(destination[(rr + sdes)..], self, reason, out int bye))
        {
            return false;
        }

        bytesWritten = rr + sdes + bye;
        return true;
    }

    private SenderInfo CurrentSenderInfo(TimeSpan now, ulong wallClockNtp)
    {
        // The RTP timestamp corresponding to "now", extrapolated from the last packet sent.
        long elapsedTicks = Math.Max(0, (now - lastRtpSentAt).Ticks);
        long units = (long)((Int128)elapsedTicks * ClockRate / TimeSpan.TicksPerSecond);
        return new SenderInfo(wallClockNtp, unchecked(lastRtpTimestamp + (uint)units), packetsSent, octetsSent);
    }

    private double RandomFactor() => 0.5 + random.NextDouble();
}
