using Switchboard.Media.Rtp;

namespace Switchboard.Media.Tests.Rtp;

public class RtpHeaderTests
{
    private static readonly Ssrc Source = new(0x11223344);

    [Fact]
    public void Minimal_packet_round_trips()
    {
        byte[] payload = [1, 2, 3, 4, 5];
        var buffer = new byte[64];
        Assert.True(RtpWriter.TryWrite(buffer, new RtpPacketFields(new PayloadType(0), 0xBEEF, 0xCAFEBABE, Source, Marker: true), payload, out int written));
        Assert.Equal(17, written);

        Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(buffer.AsSpan(0, written), out RtpHeader h));
        Assert.True(h.Marker);
        Assert.Equal(new PayloadType(0), h.PayloadType);
        Assert.Equal(0xBEEF, h.SequenceNumber);
        Assert.Equal(0xCAFEBABE, h.Timestamp);
        Assert.Equal(Source, h.Ssrc);
        Assert.Equal(12, h.HeaderLength);
        Assert.False(h.HasExtension);
        Assert.Equal(payload, h.GetPayload(buffer.AsSpan(0, written)).ToArray());
    }

    [Fact]
    public void Csrcs_and_extension_round_trip()
    {
        Ssrc[] csrcs = [new(1), new(2), new(3)];
        byte[] extension = [0x10, 0xAA, 0, 0, 0x22, 0xBB, 0xCC, 0];
        byte[] payload = new byte[160];
        payload.AsSpan().Fill(0xFF);
        var buffer = new byte[1500];
        var fields = new RtpPacketFields(new PayloadType(111), 65535, 960, Source);
        Assert.True(RtpWriter.TryWrite(buffer, fields, csrcs, 0xBEDE, extension, payload, out int written));
        Assert.Equal(RtpWriter.GetLength(3, extension.Length, payload.Length), written);

        ReadOnlySpan<byte> packet = buffer.AsSpan(0, written);
        Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(packet, out RtpHeader h));
        Assert.Equal(3, h.CsrcCount);
        Assert.Equal(new Ssrc(2), h.GetCsrc(packet, 1));
        Assert.True(h.HasExtension);
        Assert.Equal(0xBEDE, h.ExtensionProfile);
        Assert.Equal(extension, h.GetExtension(packet).ToArray());
        Assert.Equal(12 + 12 + 4 + 8, h.HeaderLength);
        Assert.Equal(160, h.PayloadLength);
        Assert.Equal(new PayloadType(111), h.PayloadType);
    }

    [Fact]
    public void Padding_is_excluded_from_payload()
    {
        // V=2 P=1, PT 0, seq 1, ts 2, ssrc 3, payload AA BB, then 3 bytes of padding (00 00 03).
        byte[] packet = [0xA0, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xAA, 0xBB, 0, 0, 3];
        Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(packet, out RtpHeader h));
        Assert.True(h.Padding);
        Assert.Equal(3, h.PaddingLength);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, h.GetPayload(packet).ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0 }, RtpParseStatus.TooShort)]
    [InlineData(new byte[] { 0x40, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3 }, RtpParseStatus.BadVersion)]
    [InlineData(new byte[] { 0x81, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0 }, RtpParseStatus.CsrcTruncated)]
    [InlineData(new byte[] { 0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 1 }, RtpParseStatus.ExtensionTruncated)]
    [InlineData(new byte[] { 0xA0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xAA, 0 }, RtpParseStatus.BadPadding)]
    [InlineData(new byte[] { 0xA0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xAA, 9 }, RtpParseStatus.BadPadding)]
    public void Malformed_packets_are_reported(byte[] packet, RtpParseStatus expected)
    {
        Assert.Equal(expected, RtpHeader.TryParse(packet, out _));
    }

    [Fact]
    public void Truncation_at_every_byte_never_throws_and_never_reports_bounds_outside_the_input()
    {
        var buffer = new byte[200];
        Assert.True(RtpWriter.TryWrite(buffer, new RtpPacketFields(new PayloadType(8), 7, 8, Source), [new(9)], 0xBEDE, new byte[12], new byte[100], out int written));
        for (int cut = 0; cut <= written; cut++)
        {
            ReadOnlySpan<byte> part = buffer.AsSpan(0, cut);
            if (RtpHeader.TryParse(part, out RtpHeader h) == RtpParseStatus.Ok)
            {
                Assert.True(h.PayloadOffset + h.PayloadLength <= cut);
                Assert.True(h.ExtensionOffset + h.ExtensionLength <= cut);
                _ = h.GetPayload(part);
                _ = h.GetExtension(part);
            }
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(4733);
        var buffer = new byte[64];
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(buffer.Length + 1);
            random.NextBytes(buffer);
            buffer[0] = (byte)((buffer[0] & 0x3F) | 0x80);
            ReadOnlySpan<byte> part = buffer.AsSpan(0, length);
            if (RtpHeader.TryParse(part, out RtpHeader h) == RtpParseStatus.Ok)
            {
                _ = h.GetPayload(part);
                _ = h.GetExtension(part);
            }
        }
    }

    [Fact]
    public void Writer_refuses_a_small_buffer()
    {
        var buffer = new byte[20];
        Assert.False(RtpWriter.TryWrite(buffer, new RtpPacketFields(new PayloadType(0), 1, 2, Source), new byte[9], out int written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void Parse_and_write_do_not_allocate()
    {
        var buffer = new byte[200];
        byte[] payload = new byte[160];
        var fields = new RtpPacketFields(new PayloadType(0), 1, 2, Source);
        RtpWriter.TryWrite(buffer, fields, payload, out int written);
        RtpHeader.TryParse(buffer.AsSpan(0, written), out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            RtpWriter.TryWrite(buffer, fields, payload, out written);
            RtpHeader.TryParse(buffer.AsSpan(0, written), out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Payload_type_above_127_is_a_programmer_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PayloadType(128));
    }
}
