using Switchboard.Media.Dtmf;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Tests.Dtmf;

/// <summary>Sender to detector through real RTP packets, with a lossy, reordering, duplicating network in memory.</summary>
public class DtmfOverRtpTests
{
    private static readonly PayloadType TelephoneEventPt = new(126);
    private static readonly Ssrc Browser = new(0x1234ABCD);

    private static List<byte[]> SendDigits(string digits)
    {
        var datagrams = new List<byte[]>();
        var packets = new DtmfPacket[32];
        var payload = new byte[TelephoneEvent.Length];
        ushort seq = 65500;
        uint ts = uint.MaxValue - 4000;
        var t = TimeSpan.Zero;
        foreach (char c in digits)
        {
            Assert.True(DtmfEvents.TryFromSymbol(c, out byte ev));
            int n = DtmfSender.CreatePackets(ev, ts, t, TimeSpan.FromMilliseconds(200), 8000, packets);
            foreach (DtmfPacket p in packets.AsSpan(0, n))
            {
                p.Payload.TryWrite(payload);
                var buffer = new byte[64];
                Assert.True(RtpWriter.TryWrite(buffer, new RtpPacketFields(TelephoneEventPt, seq++, p.RtpTimestamp, Browser, p.Marker), payload, out int written));
                datagrams.Add(buffer[..written]);
            }

            ts += 8000 / 2;
            t += TimeSpan.FromMilliseconds(500);
        }

        return datagrams;
    }

    private static string Receive(IEnumerable<byte[]> datagrams)
    {
        var detector = new DtmfDetector();
        var received = new List<char>();
        var now = TimeSpan.Zero;
        foreach (byte[] datagram in datagrams)
        {
            now += TimeSpan.FromMilliseconds(10);
            Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(datagram, out RtpHeader h));
            Assert.Equal(TelephoneEventPt, h.PayloadType);
            detector.Receive(h.Ssrc, h.Timestamp, h.GetPayload(datagram), now);
            while (detector.TryRead(out DtmfDigit d))
            {
                received.Add(d.Symbol);
            }
        }

        detector.Tick(now + detector.Timeout);
        while (detector.TryRead(out DtmfDigit d))
        {
            received.Add(d.Symbol);
        }

        return new string(received.ToArray());
    }

    [Fact]
    public void Clean_network_across_sequence_and_timestamp_wrap()
    {
        Assert.Equal("12#", Receive(SendDigits("12#")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Loss_duplication_and_local_reordering_still_give_one_digit_per_press(int seed)
    {
        List<byte[]> sent = SendDigits("12#*0");
        var random = new Random(seed);
        var network = new List<byte[]>();
        for (int i = 0; i < sent.Count; i++)
        {
            double roll = random.NextDouble();
            if (roll < 0.15)
            {
                continue;
            }

            network.Add(sent[i]);
            if (roll > 0.85)
            {
                network.Add(sent[i]);
            }
        }

        // Swap neighbours now and then.
        for (int i = 1; i < network.Count; i++)
        {
            if (random.NextDouble() < 0.2)
            {
                (network[i - 1], network[i]) = (network[i], network[i - 1]);
            }
        }

        Assert.Equal("12#*0", Receive(network));
    }
}
