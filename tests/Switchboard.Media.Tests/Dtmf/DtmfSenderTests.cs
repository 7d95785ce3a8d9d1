using Switchboard.Media.Dtmf;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Tests.Dtmf;

public class DtmfSenderTests
{
    private static readonly Ssrc Sender = new(0x5EED);

    [Fact]
    public void Start_updates_every_50ms_and_three_end_packets()
    {
        var start = TimeSpan.FromSeconds(10);
        var packets = new DtmfPacket[16];
        int n = DtmfSender.CreatePackets(11, 123_456, start, TimeSpan.FromMilliseconds(120), 8000, packets);
        Assert.Equal(DtmfSender.GetPacketCount(TimeSpan.FromMilliseconds(120)), n);

        // 0, 50, 100 ms: durations 400, 800, 960; then 3 x end 960 at 120 ms.
        Assert.Equal(6, n);
        Assert.True(packets[0].Marker);
        Assert.All(packets[1..n], p => Assert.False(p.Marker));
        Assert.All(packets[..n], p => Assert.Equal(123_456u, p.RtpTimestamp));
        Assert.All(packets[..n], p => Assert.Equal(11, p.Payload.Event));
        Assert.Equal([start, start + TimeSpan.FromMilliseconds(50), start + TimeSpan.FromMilliseconds(100)], packets[..3].Select(p => p.SendAt));
        Assert.Equal([(ushort)400, (ushort)800, (ushort)960], packets[..3].Select(p => p.Payload.Duration));
        Assert.All(packets[..3], p => Assert.False(p.Payload.End));
        Assert.All(packets[3..6], p =>
        {
            Assert.True(p.Payload.End);
            Assert.Equal(960, p.Payload.Duration);
            Assert.Equal(start + TimeSpan.FromMilliseconds(120), p.SendAt);
        });
    }

    [Fact]
    public void Opus_clock_rate_scales_durations()
    {
        var packets = new DtmfPacket[8];
        int n = DtmfSender.CreatePackets(1, 0, TimeSpan.Zero, TimeSpan.FromMilliseconds(100), 48000, packets);
        Assert.Equal(4800, packets[n - 1].Payload.Duration);
    }

    [Fact]
    public void Too_long_for_16_bits_is_a_programmer_error()
    {
        var packets = new DtmfPacket[64];
        Assert.Throws<ArgumentOutOfRangeException>(() => DtmfSender.CreatePackets(1, 0, TimeSpan.Zero, TimeSpan.FromSeconds(2), 48000, packets));
    }

    [Fact]
    public void Sender_output_fed_to_the_detector_gives_back_the_digits()
    {
        var detector = new DtmfDetector();
        var packets = new DtmfPacket[16];
        var symbols = new List<char>();
        uint ts = 1000;
        var t = TimeSpan.Zero;
        var buffer = new byte[4];
        foreach (char c in "159*#D")
        {
            Assert.True(DtmfEvents.TryFromSymbol(c, out byte ev));
            int n = DtmfSender.CreatePackets(ev, ts, t, TimeSpan.FromMilliseconds(160), 8000, packets);
            foreach (DtmfPacket p in packets.AsSpan(0, n))
            {
                p.Payload.TryWrite(buffer);
                detector.Receive(Sender, p.RtpTimestamp, buffer, p.SendAt);
            }

            // Drain after each input, as the owner loop does.
            while (detector.TryRead(out DtmfDigit d))
            {
                Assert.Equal(1280, d.DurationUnits);
                symbols.Add(d.Symbol);
            }

            ts += 8000;
            t += TimeSpan.FromSeconds(1);
        }

        Assert.Equal("159*#D", new string(symbols.ToArray()));
    }
}
