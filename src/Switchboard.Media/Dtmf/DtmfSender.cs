namespace Switchboard.Media.Dtmf;

/// <summary>One telephone-event RTP packet to send: when, and the header fields that differ per packet.</summary>
/// <param name="SendAt">When to send it (same time base as the start time given).</param>
/// <param name="Marker">RTP marker bit: set on the first packet of the event (RFC 4733 section 2.5.1.1).</param>
/// <param name="RtpTimestamp">The event's RTP timestamp, the same for every packet of the event.</param>
/// <param name="Payload">The event payload.</param>
public readonly record struct DtmfPacket(TimeSpan SendAt, bool Marker, uint RtpTimestamp, TelephoneEvent Payload);

/// <summary>
/// Sender side of RFC 4733 (section 2.5.1): the packet sequence for one key press. A start packet
/// with the marker bit, an update every <c>interval</c> (50 ms by default) carrying the duration so
/// far, and the end packet sent three times (section 2.5.1.4). Sequence numbers and SSRC belong to
/// the RTP stream and are the caller's. Pure: times are inputs, packets are outputs.
/// </summary>
public static class DtmfSender
{
    public const int EndPacketCopies = 3;

    public static TimeSpan DefaultInterval { get; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Packets <see cref="CreatePackets"/> will produce for these values.</summary>
    public static int GetPacketCount(TimeSpan duration, TimeSpan? interval = null)
    {
        TimeSpan step = interval ?? DefaultInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero, nameof(interval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        long updates = (duration.Ticks + step.Ticks - 1) / step.Ticks;
        return (int)updates + EndPacketCopies;
    }

    /// <summary>
    /// Writes the packets for one key press into <paramref name="destination"/> and returns how many.
    /// The event's duration must fit 16 bits of timestamp units (8.19 s at 8 kHz, 1.36 s at 48 kHz).
    /// </summary>
    public static int CreatePackets(
        byte eventCode,
        uint rtpTimestamp,
        TimeSpan start,
        TimeSpan duration,
        int clockRate,
        Span<DtmfPacket> destination,
        byte volume = 10,
        TimeSpan? interval = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(volume, (byte)63);
        TimeSpan step = interval ?? DefaultInterval;
        int count = GetPacketCount(duration, step);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, count, nameof(destination));
        ushort total = ToUnits(duration, clockRate);

        int n = 0;
        for (TimeSpan elapsed = TimeSpan.Zero; elapsed < duration; elapsed += step)
        {
            TimeSpan covered = elapsed + step < duration ? elapsed + step : duration;
            destination[n] = new DtmfPacket(start + elapsed, n == 0, rtpTimestamp, new TelephoneEvent(eventCode, false, volume, ToUnits(covered, clockRate)));
            n++;
        }

        for (int i = 0; i < EndPacketCopies; i++)
        {
            destination[n++] = new DtmfPacket(start + duration, false, rtpTimestamp, new TelephoneEvent(eventCode, true, volume, total));
        }

        return n;
    }

    private static ushort ToUnits(TimeSpan time, int clockRate)
    {
        long units = (long)((Int128)time.Ticks * clockRate / TimeSpan.TicksPerSecond);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(units, ushort.MaxValue, nameof(time));
        return (ushort)units;
    }
}
