using Switchboard.Media.Rtcp;

namespace Switchboard.Media.Rtp;

/// <summary>What <see cref="RtpReceiveStatistics.Update"/> concluded about one packet.</summary>
public enum RtpSequenceStatus
{
    /// <summary>In sequence (possibly after a gap); counted.</summary>
    Accepted,
    /// <summary>Duplicate or late packet within the misorder window; counted, max sequence unchanged.</summary>
    Reordered,
    /// <summary>The source is still on probation (RFC 3550 appendix A.1); not counted yet.</summary>
    Probation,
    /// <summary>A very large jump; waiting for a second packet to confirm a restarted sequence.</summary>
    BadSequence,
    /// <summary>The large jump was confirmed: the statistics were restarted at this packet.</summary>
    Restarted,
}

/// <summary>
/// Reception statistics for one remote synchronization source: 64-bit extended sequence numbers
/// and source validation (RFC 3550 appendix A.1), interarrival jitter (appendix A.8), and the loss
/// figures of a reception report block (appendix A.3). Arrival times are passed in; this class has
/// one owner and no locks.
/// </summary>
public sealed class RtpReceiveStatistics
{
    private const int SequenceModulus = 1 << 16;
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;

    private readonly int minSequential;
    private bool initialized;
    private int probation;
    private ushort maxSeq;
    private long cycles;
    private long baseSeq;
    private int badSeq;
    private long expectedPrior;
    private long receivedPrior;
    private bool haveTransit;
    private int transit;
    private uint jitterQ4;
    private uint lastSenderReport;
    private TimeSpan lastSenderReportArrival;

    /// <param name="source">The remote source these figures describe.</param>
    /// <param name="clockRate">RTP clock rate of the payload (8000 for G.711, 48000 for Opus).</param>
    /// <param name="minSequential">Packets in sequence needed before the source is valid; RFC 3550 suggests 2.</param>
    public RtpReceiveStatistics(Ssrc source, int clockRate, int minSequential = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        ArgumentOutOfRangeException.ThrowIfNegative(minSequential);
        Source = source;
        ClockRate = clockRate;
        this.minSequential = minSequential;
    }

    public Ssrc Source { get; }

    public int ClockRate { get; }

    /// <summary>Packets counted (duplicates included, as in RFC 3550 appendix A.3).</summary>
    public long PacketsReceived { get; private set; }

    /// <summary>The highest sequence number seen, extended with the count of wraps: 64 bits, never wraps.</summary>
    public long ExtendedHighestSequence => cycles + maxSeq;

    /// <summary>Packets expected from the first valid one up to the highest seen.</summary>
    public long PacketsExpected => initialized && probation == 0 ? ExtendedHighestSequence - baseSeq + 1 : 0;

    /// <summary>Cumulative packets lost; negative when duplicates outnumber losses.</summary>
    public long PacketsLost => PacketsExpected - PacketsReceived;

    /// <summary>Interarrival jitter in RTP timestamp units (RFC 3550 section 6.4.1).</summary>
    public uint Jitter => jitterQ4 >> 4;

    /// <summary>True once the source has passed probation.</summary>
    public bool IsValid => initialized && probation == 0;

    /// <summary>
    /// Counts one received packet. <paramref name="arrival"/> is any monotonic time (for example
    /// <c>TimeProvider.GetElapsedTime(start)</c>); only differences matter.
    /// </summary>
    public RtpSequenceStatus Update(ushort sequenceNumber, uint rtpTimestamp, TimeSpan arrival)
    {
        RtpSequenceStatus status = UpdateSequence(sequenceNumber);
        if (status is RtpSequenceStatus.Accepted or RtpSequenceStatus.Reordered or RtpSequenceStatus.Restarted)
        {
            UpdateJitter(rtpTimestamp, arrival);
        }

        return status;
    }

    /// <summary>
    /// The extended (64-bit) sequence number of a packet near the current highest one, for example a
    /// reordered packet. Call after <see cref="Update"/>.
    /// </summary>
    public long ExtendSequence(ushort sequenceNumber)
    {
        int delta = (short)(ushort)(sequenceNumber - maxSeq);
        return ExtendedHighestSequence + delta;
    }

    /// <summary>Records the middle 32 bits of a sender report's NTP timestamp and when it arrived.</summary>
    public void OnSenderReport(ulong ntpTimestamp, TimeSpan arrival)
    {
        lastSenderReport = (uint)(ntpTimestamp >> 16);
        lastSenderReportArrival = arrival;
    }

    /// <summary>
    /// Builds a reception report block (RFC 3550 section 6.4.1 and appendix A.3) and starts a new
    /// interval for the fraction lost.
    /// </summary>
    public ReportBlock CreateReportBlock(TimeSpan now)
    {
        long expected = PacketsExpected;
        long lost = expected - PacketsReceived;
        long expectedInterval = expected - expectedPrior;
        long receivedInterval = PacketsReceived - receivedPrior;
        expectedPrior = expected;
        receivedPrior = PacketsReceived;
        long lostInterval = expectedInterval - receivedInterval;
        byte fraction = expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);

        uint delay = 0;
        if (lastSenderReport != 0)
        {
            TimeSpan elapsed = now - lastSenderReportArrival;
            delay = elapsed <= TimeSpan.Zero ? 0u : (uint)Math.Min(uint.MaxValue, elapsed.Ticks * 65536 / TimeSpan.TicksPerSecond);
        }

        return new ReportBlock(
            Source,
            fraction,
            (int)Math.Clamp(lost, ReportBlock.MinCumulativeLost, ReportBlock.MaxCumulativeLost),
            (uint)ExtendedHighestSequence,
            Jitter,
            lastSenderReport,
            delay);
    }

    private RtpSequenceStatus UpdateSequence(ushort seq)
    {
        if (!initialized)
        {
            InitSequence(seq);
            initialized = true;
            maxSeq = (ushort)(seq - 1);
            probation = minSequential;
            if (probation == 0)
            {
                maxSeq = seq;
                PacketsReceived++;
                return RtpSequenceStatus.Accepted;
            }
        }

        ushort udelta = (ushort)(seq - maxSeq);
        if (probation > 0)
        {
            // RFC 3550 appendix A.1: the source is valid after minSequential packets in sequence.
            if (seq == (ushort)(maxSeq + 1))
            {
                probation--;
                maxSeq = seq;
                if (probation == 0)
                {
                    InitSequence(seq);
                    PacketsReceived++;
                    return RtpSequenceStatus.Accepted;
                }
            }
            else
            {
                probation = minSequential - 1;
                maxSeq = seq;
            }

            return RtpSequenceStatus.Probation;
        }

        RtpSequenceStatus status = RtpSequenceStatus.Accepted;
        if (udelta < MaxDropout)
        {
            if (seq < maxSeq)
            {
                cycles += SequenceModulus;
            }

            maxSeq = seq;
        }
        else if (udelta <= SequenceModulus - MaxMisorder)
        {
            if (seq == badSeq)
            {
                // Two packets in sequence after a big jump: the sender restarted without telling us.
                InitSequence(seq);
                status = RtpSequenceStatus.Restarted;
            }
            else
            {
                badSeq = (seq + 1) & (SequenceModulus - 1);
                return RtpSequenceStatus.BadSequence;
            }
        }
        else
        {
            status = RtpSequenceStatus.Reordered;
        }

        PacketsReceived++;
        return status;
    }

    private void InitSequence(ushort seq)
    {
        baseSeq = seq;
        maxSeq = seq;
        badSeq = SequenceModulus + 1;
        cycles = 0;
        PacketsReceived = 0;
        receivedPrior = 0;
        expectedPrior = 0;
        haveTransit = false;
    }

    private void UpdateJitter(uint rtpTimestamp, TimeSpan arrival)
    {
        // RFC 3550 appendix A.8, integer form with the jitter kept scaled by 16.
        long ticks = arrival.Ticks;
        long arrivalUnits = (ticks / TimeSpan.TicksPerSecond * ClockRate) + (ticks % TimeSpan.TicksPerSecond * ClockRate / TimeSpan.TicksPerSecond);
        int newTransit = unchecked((int)((uint)arrivalUnits - rtpTimestamp));
        if (!haveTransit)
        {
            haveTransit = true;
            transit = newTransit;
            return;
        }

        int d = unchecked(newTransit - transit);
        transit = newTransit;
        uint absD = d < 0 ? unchecked((uint)-d) : (uint)d;
        jitterQ4 = unchecked(jitterQ4 + absD - ((jitterQ4 + 8) >> 4));
    }
}
