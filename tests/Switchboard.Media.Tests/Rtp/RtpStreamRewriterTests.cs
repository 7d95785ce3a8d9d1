using System.Buffers.Binary;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Tests.Rtp;

/// <summary>
/// One outgoing stream from changing sources (RFC 3550 section 5.1): our SSRC, consecutive sequence numbers, and a
/// timestamp line that neither jumps back nor leaps ahead when the far leg changes (a transfer) or our own prompt or
/// digit takes turns with it. A receiver's jitter buffer drops packets behind what it played: a jump back is silence.
/// </summary>
public sealed class RtpStreamRewriterTests
{
    private const int ClockRate = 8000;
    private const uint Ours = 0x5B5B5B5B;
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(20);

    [Fact]
    public void The_first_source_keeps_its_timestamps_and_gets_our_ssrc_and_sequence()
    {
        var stream = new RtpStreamRewriter(Ours, firstSequence: 65535);
        var now = TimeSpan.FromSeconds(3);
        for (var i = 0u; i < 3; i++)
        {
            var packet = Packet(ssrc: 0xA, sequence: (ushort)(900 + i), timestamp: 1000 + (i * 160));
            var sequence = stream.Rewrite(packet, now += Frame, ClockRate);
            Assert.Equal((ushort)(65535 + i), sequence);
            Assert.Equal(((ushort)(65535 + i), 1000 + (i * 160), Ours), Fields(packet));
        }
    }

    [Theory]
    [InlineData(0x10u)] // the new far leg's line starts far behind ours: a receiver would drop it all
    [InlineData(0xF0000000u)] // or far ahead: a receiver waits, or flushes its buffer
    public void A_new_source_continues_the_line_by_the_time_that_passed(uint newBase)
    {
        var stream = new RtpStreamRewriter(Ours, firstSequence: 7);
        var now = TimeSpan.FromSeconds(1);
        uint last = 0;
        for (var i = 0u; i < 50; i++)
        {
            var packet = Packet(0xA, (ushort)i, 50_000 + (i * 160));
            stream.Rewrite(packet, now += Frame, ClockRate);
            last = Fields(packet).Timestamp;
        }

        // The transfer: 300 ms without audio, then the target's phone with its own SSRC, sequence and timestamps.
        now += TimeSpan.FromMilliseconds(300);
        var first = Packet(0xB, 4242, newBase);
        stream.Rewrite(first, now, ClockRate);
        Assert.Equal((ushort)(7 + 50), Fields(first).Sequence);
        Assert.Equal(last + (300 * 8), Fields(first).Timestamp); // 300 ms after the last packet, at 8 samples per ms
        Assert.Equal(Ours, Fields(first).Ssrc);

        // From then on the new source's own spacing, on our line.
        var second = Packet(0xB, 4243, newBase + 160);
        stream.Rewrite(second, now + Frame, ClockRate);
        Assert.Equal(Fields(first).Timestamp + 160, Fields(second).Timestamp);
        Assert.Equal((ushort)(7 + 51), Fields(second).Sequence);
    }

    [Fact]
    public void A_source_that_starts_at_once_lands_one_frame_after_the_last_packet_not_inside_it()
    {
        var stream = new RtpStreamRewriter(Ours, firstSequence: 0);
        var now = TimeSpan.FromSeconds(1);
        var a = Packet(0xA, 1, 8000);
        stream.Rewrite(a, now, ClockRate);

        var b = Packet(0xB, 1, 123);
        stream.Rewrite(b, now, ClockRate);
        Assert.Equal(8000u + 160, Fields(b).Timestamp);
    }

    [Fact]
    public void Two_sources_taking_turns_each_keep_their_own_spacing()
    {
        // The far leg's audio every 20 ms, and our RFC 4733 digit whose packets all carry the event's start timestamp.
        var stream = new RtpStreamRewriter(Ours, firstSequence: 0);
        var now = TimeSpan.FromSeconds(1);
        var audio = new List<uint>();
        var digit = new List<uint>();
        for (var i = 0u; i < 10; i++)
        {
            now += Frame;
            var packet = Packet(0xA, (ushort)i, 70_000 + (i * 160));
            stream.Rewrite(packet, now, ClockRate);
            audio.Add(Fields(packet).Timestamp);

            var ours = Packet(Ours, 0, 5_000_000);
            stream.Rewrite(ours, now, ClockRate);
            digit.Add(Fields(ours).Timestamp);
        }

        Assert.All(audio.Zip(audio.Skip(1)), pair => Assert.Equal(pair.First + 160, pair.Second));
        Assert.Single(digit.Distinct());
    }

    [Fact]
    public void A_source_back_after_a_while_starts_again_from_the_line_not_from_its_old_offset()
    {
        // The transferor's phone is heard again after a failed transfer whose target played 5 s of ringback; the
        // first phone's timestamps stood still meanwhile (it sent nothing): its old offset would put it 5 s back.
        var stream = new RtpStreamRewriter(Ours, firstSequence: 0);
        var now = TimeSpan.FromSeconds(1);
        stream.Rewrite(Packet(0xA, 1, 1000), now, ClockRate);
        var afterA = Packet(0xA, 2, 1160);
        stream.Rewrite(afterA, now += Frame, ClockRate);
        uint last = 0;
        for (var i = 0u; i < 250; i++)
        {
            var b = Packet(0xB, (ushort)i, 9_000 + (i * 160));
            stream.Rewrite(b, now += Frame, ClockRate);
            last = Fields(b).Timestamp;
        }

        var back = Packet(0xA, 3, 1320);
        stream.Rewrite(back, now += Frame, ClockRate);
        Assert.Equal(last + 160, Fields(back).Timestamp);
    }

    [Fact]
    public void The_line_wraps_at_32_bits_and_a_late_packet_does_not_pull_it_back()
    {
        var stream = new RtpStreamRewriter(Ours, firstSequence: 0);
        var now = TimeSpan.FromSeconds(1);
        stream.Rewrite(Packet(0xA, 1, uint.MaxValue - 100), now, ClockRate);
        stream.Rewrite(Packet(0xA, 2, 59), now += Frame, ClockRate); // 160 on, wrapped
        stream.Rewrite(Packet(0xA, 0, uint.MaxValue - 100 - 160), now, ClockRate); // late, reordered: kept as it is

        var b = Packet(0xB, 1, 777);
        stream.Rewrite(b, now, ClockRate);
        Assert.Equal(59u + 160, Fields(b).Timestamp);
    }

    private static byte[] Packet(uint ssrc, ushort sequence, uint timestamp)
    {
        var packet = new byte[12 + 160];
        packet[0] = 0x80;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        return packet;
    }

    private static (ushort Sequence, uint Timestamp, uint Ssrc) Fields(byte[] packet) => (
        BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2)),
        BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(4)),
        BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(8)));
}
