using Switchboard.Media.Dtmf;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Tests.Dtmf;

public class DtmfDetectorTests
{
    private static readonly Ssrc Sender = new(0x5EED);

    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    private static byte[] Payload(byte ev, bool end, ushort duration)
    {
        var b = new byte[4];
        new TelephoneEvent(ev, end, 10, duration).TryWrite(b);
        return b;
    }

    private static List<DtmfDigit> Drain(DtmfDetector detector)
    {
        var digits = new List<DtmfDigit>();
        while (detector.TryRead(out DtmfDigit d))
        {
            digits.Add(d);
        }

        return digits;
    }

    /// <summary>What Chromium sends for insertDTMF('12#'): updates, then the end packet three times.</summary>
    private static List<(uint Ts, byte[] Payload, TimeSpan At)> ChromiumLikeStream(string digits, bool duplicateEverything)
    {
        var stream = new List<(uint, byte[], TimeSpan)>();
        uint ts = 16_000;
        var t = TimeSpan.FromSeconds(1);
        foreach (char c in digits)
        {
            DtmfEvents.TryFromSymbol(c, out byte ev);
            for (ushort d = 160; d < 800; d += 160)
            {
                stream.Add((ts, Payload(ev, false, d), t));
                if (duplicateEverything)
                {
                    stream.Add((ts, Payload(ev, false, d), t));
                }

                t += 20 * Ms;
            }

            for (int i = 0; i < 3; i++)
            {
                stream.Add((ts, Payload(ev, true, 800), t));
                if (duplicateEverything)
                {
                    stream.Add((ts, Payload(ev, true, 800), t));
                }
            }

            ts += 800 + 560;
            t += 70 * Ms;
        }

        return stream;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void One_digit_per_key_press_for_1_2_pound(bool duplicateEverything)
    {
        var detector = new DtmfDetector();
        foreach (var (ts, payload, at) in ChromiumLikeStream("12#", duplicateEverything))
        {
            detector.Receive(Sender, ts, payload, at);
        }

        List<DtmfDigit> digits = Drain(detector);
        Assert.Equal("12#", new string(digits.Select(d => d.Symbol).ToArray()));
        Assert.All(digits, d => Assert.True(d.EndSeen));
        Assert.All(digits, d => Assert.Equal(800, d.DurationUnits));
        Assert.All(digits, d => Assert.Equal(TimeSpan.FromMilliseconds(100), d.GetDuration(8000)));
        Assert.Equal([16_000u, 17_360u, 18_720u], digits.Select(d => d.RtpTimestamp));
    }

    [Fact]
    public void Late_retransmitted_end_of_a_previous_digit_is_ignored()
    {
        var detector = new DtmfDetector();
        var stream = ChromiumLikeStream("12", duplicateEverything: false);

        // Move one end packet of '1' to after all packets of '2'.
        int lateIndex = stream.FindLastIndex(p => p.Ts == 16_000);
        var late = stream[lateIndex];
        stream.RemoveAt(lateIndex);
        stream.Add(late);
        foreach (var (ts, payload, at) in stream)
        {
            detector.Receive(Sender, ts, payload, at);
        }

        Assert.Equal("12", new string(Drain(detector).Select(d => d.Symbol).ToArray()));
    }

    [Fact]
    public void Digit_whose_end_packets_were_all_lost_is_closed_by_the_next_digit()
    {
        var detector = new DtmfDetector();
        detector.Receive(Sender, 1000, Payload(1, false, 160), TimeSpan.Zero);
        detector.Receive(Sender, 1000, Payload(1, false, 480), 40 * Ms);
        Assert.False(detector.TryRead(out _));

        detector.Receive(Sender, 3000, Payload(2, false, 160), 300 * Ms);
        Assert.True(detector.TryRead(out DtmfDigit first));
        Assert.Equal('1', first.Symbol);
        Assert.False(first.EndSeen);
        Assert.Equal(480, first.DurationUnits);
        Assert.True(detector.InProgress);
    }

    [Fact]
    public void Digit_whose_end_packets_were_all_lost_is_closed_by_timeout()
    {
        var detector = new DtmfDetector(TimeSpan.FromMilliseconds(500));
        detector.Receive(Sender, 1000, Payload(11, false, 160), TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromMilliseconds(500), detector.NextTimeout);
        detector.Tick(499 * Ms);
        Assert.False(detector.TryRead(out _));
        detector.Tick(500 * Ms);
        Assert.True(detector.TryRead(out DtmfDigit d));
        Assert.Equal('#', d.Symbol);
        Assert.Null(detector.NextTimeout);

        // Retransmitted end arriving after the timeout must not produce a second '#'.
        detector.Receive(Sender, 1000, Payload(11, true, 800), 600 * Ms);
        Assert.False(detector.TryRead(out _));
    }

    [Fact]
    public void Only_end_packets_received_still_yield_one_digit()
    {
        var detector = new DtmfDetector();
        for (int i = 0; i < 3; i++)
        {
            detector.Receive(Sender, 5000, Payload(2, true, 960), i * Ms);
        }

        List<DtmfDigit> digits = Drain(detector);
        Assert.Single(digits);
        Assert.Equal(960, digits[0].DurationUnits);
    }

    [Fact]
    public void Same_digit_pressed_twice_gives_two_digits()
    {
        var detector = new DtmfDetector();
        detector.Receive(Sender, 1000, Payload(5, true, 800), TimeSpan.Zero);
        detector.Receive(Sender, 1000, Payload(5, true, 800), TimeSpan.Zero);
        detector.Receive(Sender, 2600, Payload(5, false, 160), 200 * Ms);
        detector.Receive(Sender, 2600, Payload(5, true, 800), 300 * Ms);
        Assert.Equal("55", new string(Drain(detector).Select(d => d.Symbol).ToArray()));
    }

    [Fact]
    public void Timestamp_wrap_between_digits_is_handled()
    {
        var detector = new DtmfDetector();
        detector.Receive(Sender, uint.MaxValue - 100, Payload(1, true, 800), TimeSpan.Zero);
        detector.Receive(Sender, 500, Payload(2, true, 800), 200 * Ms);
        detector.Receive(Sender, uint.MaxValue - 100, Payload(1, true, 800), 210 * Ms);
        Assert.Equal("12", new string(Drain(detector).Select(d => d.Symbol).ToArray()));
    }

    [Fact]
    public void New_ssrc_closes_the_open_event_and_forgets_old_timestamps()
    {
        var detector = new DtmfDetector();
        detector.Receive(Sender, 90_000, Payload(1, true, 800), TimeSpan.Zero);
        detector.Receive(Sender, 91_000, Payload(2, false, 160), 100 * Ms);

        // The stream restarts with a new SSRC and a lower random timestamp.
        var restarted = new Ssrc(0xABCD);
        detector.Receive(restarted, 5_000, Payload(3, false, 160), 200 * Ms);
        detector.Receive(restarted, 5_000, Payload(3, true, 800), 300 * Ms);

        List<DtmfDigit> digits = Drain(detector);
        Assert.Equal("123", new string(digits.Select(d => d.Symbol).ToArray()));
        Assert.False(digits[1].EndSeen);
    }

    [Fact]
    public void Short_payloads_are_ignored()
    {
        var detector = new DtmfDetector();
        detector.Receive(Sender, 1, [1, 2, 3], TimeSpan.Zero);
        Assert.False(detector.InProgress);
    }

    [Fact]
    public void Receive_does_not_allocate()
    {
        var detector = new DtmfDetector();
        byte[] update = Payload(1, false, 160);
        byte[] end = Payload(1, true, 800);
        detector.Receive(Sender, 0, end, TimeSpan.Zero);
        detector.TryRead(out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (uint i = 1; i < 200; i++)
        {
            detector.Receive(Sender, i * 1000, update, TimeSpan.FromMilliseconds(i * 100));
            detector.Receive(Sender, i * 1000, end, TimeSpan.FromMilliseconds((i * 100) + 50));
            detector.TryRead(out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
