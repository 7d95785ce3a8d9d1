using Switchboard.Media.Rtp;

namespace Switchboard.Media.Dtmf;

/// <summary>One completed key press.</summary>
/// <param name="Event">RFC 4733 event code.</param>
/// <param name="RtpTimestamp">The RTP timestamp that identifies the event (its start).</param>
/// <param name="DurationUnits">Duration in RTP timestamp units.</param>
/// <param name="Volume">Power level, 0 to 63 meaning 0 to -63 dBm0.</param>
/// <param name="EndSeen">False when no end packet arrived and the event was closed by a newer event or a timeout.</param>
public readonly record struct DtmfDigit(byte Event, uint RtpTimestamp, ushort DurationUnits, byte Volume, bool EndSeen)
{
    public char Symbol => DtmfEvents.ToSymbol(Event);

    public TimeSpan GetDuration(int clockRate) => TimeSpan.FromTicks(DurationUnits * TimeSpan.TicksPerSecond / clockRate);
}

/// <summary>
/// Receiver side of RFC 4733 (section 2.5.2): turns telephone-event packets into exactly one
/// <see cref="DtmfDigit"/> per key press. Events are keyed by RTP timestamp (section 2.5.1.1):
/// updates and the retransmitted end packets (section 2.5.1.4) of an event share it, so duplicates,
/// retransmissions and late packets of an already reported event are dropped. An event whose end
/// packets were all lost is closed when a newer event starts or after <see cref="Timeout"/> without
/// packets. A new SSRC (the sender restarted its stream) closes any open event and forgets the old
/// timestamps. Usage: <see cref="Receive"/> or <see cref="Tick"/>, then drain <see cref="TryRead"/>.
/// One owner; no locks; no allocation after construction.
/// </summary>
public sealed class DtmfDetector
{
    private readonly DtmfDigit[] queue = new DtmfDigit[16];
    private int queueHead;
    private int queueCount;

    private bool inProgress;
    private byte currentEvent;
    private uint currentTimestamp;
    private ushort currentDuration;
    private byte currentVolume;
    private TimeSpan lastPacketAt;

    private bool haveLast;
    private uint lastTimestamp;

    private bool haveSource;
    private Ssrc source;

    public DtmfDetector(TimeSpan? timeout = null)
    {
        Timeout = timeout ?? TimeSpan.FromMilliseconds(500);
    }

    /// <summary>Silence after which an event without an end packet is considered over.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>True while a key is held (packets seen, no end yet).</summary>
    public bool InProgress => inProgress;

    /// <summary>When <see cref="Tick"/> should next be called, or null when nothing is pending.</summary>
    public TimeSpan? NextTimeout => inProgress ? lastPacketAt + Timeout : null;

    /// <summary>Takes in the SSRC, RTP timestamp and payload of one telephone-event packet.</summary>
    public void Receive(Ssrc ssrc, uint rtpTimestamp, ReadOnlySpan<byte> payload, TimeSpan now)
    {
        if (!TelephoneEvent.TryRead(payload, out TelephoneEvent ev))
        {
            return;
        }

        if (!haveSource || ssrc != source)
        {
            if (inProgress)
            {
                Complete(endSeen: false);
            }

            haveSource = true;
            source = ssrc;
            haveLast = false;
        }

        if (inProgress && rtpTimestamp == currentTimestamp)
        {
            lastPacketAt = now;
            if (ev.Duration > currentDuration)
            {
                currentDuration = ev.Duration;
            }

            if (ev.End)
            {
                Complete(endSeen: true);
            }

            return;
        }

        // A timestamp at or before the last finished event: a retransmitted end or a late update.
        if (haveLast && unchecked((int)(rtpTimestamp - lastTimestamp)) <= 0)
        {
            return;
        }

        if (inProgress)
        {
            if (unchecked((int)(rtpTimestamp - currentTimestamp)) < 0)
            {
                return;
            }

            // A newer event began before we saw the end of this one.
            Complete(endSeen: false);
        }

        inProgress = true;
        currentEvent = ev.Event;
        currentTimestamp = rtpTimestamp;
        currentDuration = ev.Duration;
        currentVolume = ev.Volume;
        lastPacketAt = now;
        if (ev.End)
        {
            Complete(endSeen: true);
        }
    }

    /// <summary>Closes an event whose end never arrived once <see cref="Timeout"/> has passed.</summary>
    public void Tick(TimeSpan now)
    {
        if (inProgress && now - lastPacketAt >= Timeout)
        {
            Complete(endSeen: false);
        }
    }

    /// <summary>Takes the next completed digit, oldest first.</summary>
    public bool TryRead(out DtmfDigit digit)
    {
        if (queueCount == 0)
        {
            digit = default;
            return false;
        }

        digit = queue[queueHead];
        queueHead = (queueHead + 1) % queue.Length;
        queueCount--;
        return true;
    }

    private void Complete(bool endSeen)
    {
        var digit = new DtmfDigit(currentEvent, currentTimestamp, currentDuration, currentVolume, endSeen);
        if (queueCount == queue.Length)
        {
            // The owner did not drain; keep the newest digits.
            queueHead = (queueHead + 1) % queue.Length;
            queueCount--;
        }

        queue[(queueHead + queueCount) % queue.Length] = digit;
        queueCount++;
        inProgress = false;
        haveLast = true;
        lastTimestamp = currentTimestamp;
    }
}
