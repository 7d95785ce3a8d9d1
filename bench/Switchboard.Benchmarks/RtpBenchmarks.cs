using BenchmarkDotNet.Attributes;
using Switchboard.Media.Codecs;
using Switchboard.Media.Dtmf;
using Switchboard.Media.Rtp;

namespace Switchboard.Benchmarks;

/// <summary>Per-packet costs of the RTP layer: header parse and write, RFC 4733 decode and detection, G.711.</summary>
[MemoryDiagnoser]
public class RtpBenchmarks
{
    private static readonly Ssrc Sender = new(0x5EED);

    private readonly byte[] packet = new byte[172];
    private readonly byte[] packetWithExtension = new byte[200];
    private readonly byte[] output = new byte[1500];
    private readonly byte[] payload = new byte[160];
    private readonly byte[] dtmfPayload = [11, 0x8A, 0x03, 0x20];
    private readonly short[] samples = new short[160];
    private readonly DtmfDetector detector = new();
    private uint dtmfTimestamp;
    private int packetWithExtensionLength;

    [GlobalSetup]
    public void Setup()
    {
        var fields = new RtpPacketFields(PayloadType.Pcmu, 1234, 160_000, new Ssrc(0xDEADBEEF));
        RtpWriter.TryWrite(packet, fields, payload, out _);
        RtpWriter.TryWrite(packetWithExtension, fields, [new Ssrc(1)], 0xBEDE, [0x10, 0x5A, 0, 0], payload, out packetWithExtensionLength);
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(Math.Sin(i * 0.1) * 16000);
        }
    }

    [Benchmark]
    public long RtpHeaderParse()
    {
        RtpParseStatus status = RtpHeader.TryParse(packet, out RtpHeader h);
        return Consume(status, h);
    }

    [Benchmark]
    public long RtpHeaderParseCsrcAndExtension()
    {
        RtpParseStatus status = RtpHeader.TryParse(packetWithExtension.AsSpan(0, packetWithExtensionLength), out RtpHeader h);
        return Consume(status, h);
    }

    // Use every field, so the JIT cannot drop the work for fields nobody reads.
    private static long Consume(RtpParseStatus status, in RtpHeader h) =>
        (long)status + h.PayloadType.Value + h.SequenceNumber + h.Timestamp + h.Ssrc.Value + h.CsrcCount
        + (h.Marker ? 1 : 0) + (h.Padding ? 2 : 0) + h.ExtensionProfile + h.ExtensionOffset + h.ExtensionLength
        + h.HeaderLength + h.PayloadLength + h.PaddingLength;

    [Benchmark]
    public int RtpWrite()
    {
        RtpWriter.TryWrite(output, new RtpPacketFields(PayloadType.Pcmu, 1234, 160_000, new Ssrc(0xDEADBEEF)), payload, out int written);
        return written;
    }

    [Benchmark]
    public int TelephoneEventDecode()
    {
        TelephoneEvent.TryRead(dtmfPayload, out TelephoneEvent ev);
        return ev.Duration + ev.Event + ev.Volume + (ev.End ? 1 : 0);
    }

    [Benchmark]
    public int DtmfDetectorEndPacket()
    {
        // One key press per call: an end packet with a new timestamp, then drain.
        dtmfTimestamp += 1000;
        detector.Receive(Sender, dtmfTimestamp, dtmfPayload, TimeSpan.FromTicks(dtmfTimestamp));
        detector.TryRead(out DtmfDigit digit);
        return digit.DurationUnits;
    }

    [Benchmark]
    public byte PcmuEncode160()
    {
        Pcmu.Encode(samples, output);
        return output[0];
    }

    [Benchmark]
    public short PcmuDecode160()
    {
        Span<short> decoded = stackalloc short[160];
        Pcmu.Decode(packet.AsSpan(12, 160), decoded);
        return decoded[0];
    }
}
