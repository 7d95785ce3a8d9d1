using System.Text;
using Switchboard.Media.Rtcp;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Tests.Rtcp;

public class RtcpPacketTests
{
    private static readonly Ssrc Me = new(0xAABBCCDD);

    private static readonly ReportBlock Block = new(new Ssrc(0x01020304), 25, -3, 0x0001_0005, 42, 0x12345678, 65536);

    private static byte[] Compound()
    {
        var buffer = new byte[512];
        int offset = 0;
        Assert.True(RtcpWriter.TryWriteSenderReport(buffer, Me, new SenderInfo(0xE000_0000_8000_0000, 160_000, 1000, 160_000), [Block], out int n));
        offset += n;
        Assert.True(RtcpWriter.TryWriteSdesCname(buffer.AsSpan(offset), Me, "switchboard@example"u8, out n));
        offset += n;
        Assert.True(RtcpWriter.TryWriteBye(buffer.AsSpan(offset), [Me, new Ssrc(5)], "hangup"u8, out n));
        offset += n;
        return buffer[..offset];
    }

    [Fact]
    public void Compound_sr_sdes_bye_round_trips()
    {
        byte[] datagram = Compound();
        Assert.Equal(0, datagram.Length % 4);
        var reader = new RtcpCompoundReader(datagram);

        Assert.Equal(RtcpParseStatus.Ok, reader.TryReadNext(out RtcpPacket p));
        Assert.Equal(RtcpPacketType.SenderReport, p.Type);
        Assert.Equal(RtcpParseStatus.Ok, RtcpReport.TryParse(p, out RtcpReport sr));
        Assert.True(sr.IsSenderReport);
        Assert.Equal(Me, sr.Reporter);
        Assert.Equal(new SenderInfo(0xE000_0000_8000_0000, 160_000, 1000, 160_000), sr.SenderInfo);
        Assert.Equal(1, sr.BlockCount);
        Assert.Equal(Block, sr.GetBlock(0));

        Assert.Equal(RtcpParseStatus.Ok, reader.TryReadNext(out p));
        Assert.Equal(RtcpPacketType.SourceDescription, p.Type);
        var sdes = new RtcpSdesReader(p);
        Assert.Equal(RtcpParseStatus.Ok, sdes.TryReadNext(out Ssrc source, out SdesItemType type, out ReadOnlySpan<byte> value));
        Assert.Equal(Me, source);
        Assert.Equal(SdesItemType.Cname, type);
        Assert.Equal("switchboard@example", Encoding.UTF8.GetString(value));
        Assert.Equal(RtcpParseStatus.End, sdes.TryReadNext(out _, out _, out _));

        Assert.Equal(RtcpParseStatus.Ok, reader.TryReadNext(out p));
        Assert.Equal(RtcpParseStatus.Ok, RtcpBye.TryParse(p, out RtcpBye bye));
        Assert.Equal(2, bye.SourceCount);
        Assert.Equal(new Ssrc(5), bye.GetSource(1));
        Assert.Equal("hangup", Encoding.UTF8.GetString(bye.Reason));

        Assert.Equal(RtcpParseStatus.End, reader.TryReadNext(out _));
    }

    [Fact]
    public void Receiver_report_round_trips_with_negative_cumulative_loss()
    {
        var buffer = new byte[100];
        Assert.True(RtcpWriter.TryWriteReceiverReport(buffer, Me, [Block, Block with { CumulativeLost = ReportBlock.MaxCumulativeLost }], out int n));
        Assert.Equal(8 + 48, n);
        Assert.Equal(RtcpParseStatus.Ok, RtcpCompoundReader.TryReadOne(buffer.AsSpan(0, n), out RtcpPacket p, out int consumed));
        Assert.Equal(n, consumed);
        Assert.Equal(RtcpParseStatus.Ok, RtcpReport.TryParse(p, out RtcpReport rr));
        Assert.False(rr.IsSenderReport);
        Assert.Equal(-3, rr.GetBlock(0).CumulativeLost);
        Assert.Equal(ReportBlock.MaxCumulativeLost, rr.GetBlock(1).CumulativeLost);
    }

    [Fact]
    public void Reduced_size_rtcp_with_a_lone_feedback_packet_is_accepted()
    {
        // RFC 5506: a single PSFB PLI (FMT 1), not preceded by SR/RR.
        byte[] pli = [0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
        var reader = new RtcpCompoundReader(pli);
        Assert.Equal(RtcpParseStatus.Ok, reader.TryReadNext(out RtcpPacket p));
        Assert.Equal(RtcpPacketType.PayloadFeedback, p.Type);
        Assert.Equal(1, p.Count);
        Assert.Equal(8, p.Body.Length);
        Assert.Equal(RtcpParseStatus.End, reader.TryReadNext(out _));
    }

    [Fact]
    public void Padding_in_the_last_packet_is_removed_from_the_body()
    {
        // RR with no blocks, P bit set, 4 bytes of padding (00 00 00 04); length 3 words.
        byte[] rr = [0xA0, 201, 0, 2, 0, 0, 0, 9, 0, 0, 0, 4];
        Assert.Equal(RtcpParseStatus.Ok, RtcpCompoundReader.TryReadOne(rr, out RtcpPacket p, out _));
        Assert.Equal(4, p.Body.Length);
        Assert.Equal(RtcpParseStatus.Ok, RtcpReport.TryParse(p, out RtcpReport report));
        Assert.Equal(new Ssrc(9), report.Reporter);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 201, 0 }, RtcpParseStatus.TooShort)]
    [InlineData(new byte[] { 0x40, 201, 0, 1, 0, 0, 0, 9 }, RtcpParseStatus.BadVersion)]
    [InlineData(new byte[] { 0x80, 201, 0, 5, 0, 0, 0, 9 }, RtcpParseStatus.LengthOverrun)]
    [InlineData(new byte[] { 0xA0, 201, 0, 1, 0, 0, 0, 0 }, RtcpParseStatus.BadPadding)]
    public void Malformed_headers_are_reported(byte[] datagram, RtcpParseStatus expected)
    {
        var reader = new RtcpCompoundReader(datagram);
        Assert.Equal(expected, reader.TryReadNext(out _));
        Assert.Equal(RtcpParseStatus.End, reader.TryReadNext(out _));
    }

    [Fact]
    public void Report_count_larger_than_the_body_is_malformed()
    {
        byte[] rr = [0x82, 201, 0, 7, 0, 0, 0, 9, .. new byte[24]];
        Assert.Equal(RtcpParseStatus.Ok, RtcpCompoundReader.TryReadOne(rr, out RtcpPacket p, out _));
        Assert.Equal(RtcpParseStatus.Malformed, RtcpReport.TryParse(p, out _));
    }

    [Fact]
    public void Truncation_at_every_byte_never_throws()
    {
        byte[] datagram = Compound();
        for (int cut = 0; cut <= datagram.Length; cut++)
        {
            WalkEverything(datagram.AsSpan(0, cut));
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(3550);
        byte[] template = Compound();
        var buffer = new byte[template.Length];
        for (int i = 0; i < 20_000; i++)
        {
            template.CopyTo(buffer, 0);
            for (int k = 0; k < 3; k++)
            {
                buffer[random.Next(buffer.Length)] = (byte)random.Next(256);
            }

            WalkEverything(buffer.AsSpan(0, random.Next(buffer.Length + 1)));
        }
    }

    [Fact]
    public void Writers_refuse_small_buffers()
    {
        var small = new byte[10];
        Assert.False(RtcpWriter.TryWriteSenderReport(small, Me, default, [], out _));
        Assert.False(RtcpWriter.TryWriteReceiverReport(small, Me, [Block], out _));
        Assert.False(RtcpWriter.TryWriteSdesCname(small, Me, "abcdefgh"u8, out _));
        Assert.False(RtcpWriter.TryWriteBye(small, [Me, Me], "reason"u8, out _));
    }

    [Fact]
    public void Sdes_cname_pads_to_a_word_boundary_with_at_least_one_null()
    {
        var buffer = new byte[64];
        for (int len = 0; len < 12; len++)
        {
            Assert.True(RtcpWriter.TryWriteSdesCname(buffer, Me, Enumerable.Repeat((byte)'x', len).ToArray(), out int n));
            Assert.Equal(0, n % 4);
            Assert.True(n >= 4 + 4 + 2 + len + 1);
            Assert.Equal(0, buffer[n - 1]);
            Assert.Equal(RtcpParseStatus.Ok, RtcpCompoundReader.TryReadOne(buffer.AsSpan(0, n), out RtcpPacket p, out _));
            var sdes = new RtcpSdesReader(p);
            Assert.Equal(RtcpParseStatus.Ok, sdes.TryReadNext(out _, out _, out ReadOnlySpan<byte> value));
            Assert.Equal(len, value.Length);
            Assert.Equal(RtcpParseStatus.End, sdes.TryReadNext(out _, out _, out _));
        }
    }

    [Fact]
    public void Sdes_with_two_chunks_and_several_items_is_walked_in_order()
    {
        // Chunk 1: SSRC 1, CNAME "ab", TOOL "x", null + pad. Chunk 2: SSRC 2, CNAME "cde", null.
        byte[] sdes =
        [
            0x82, 202, 0, 6,
            0, 0, 0, 1, 1, 2, (byte)'a', (byte)'b', 6, 1, (byte)'x', 0,
            0, 0, 0, 2, 1, 3, (byte)'c', (byte)'d', (byte)'e', 0, 0, 0,
        ];
        Assert.Equal(RtcpParseStatus.Ok, RtcpCompoundReader.TryReadOne(sdes, out RtcpPacket p, out _));
        var reader = new RtcpSdesReader(p);
        var items = new List<(uint, SdesItemType, string)>();
        while (reader.TryReadNext(out Ssrc source, out SdesItemType type, out ReadOnlySpan<byte> value) == RtcpParseStatus.Ok)
        {
            items.Add((source.Value, type, Encoding.ASCII.GetString(value)));
        }

        Assert.Equal([(1u, SdesItemType.Cname, "ab"), (1u, SdesItemType.Tool, "x"), (2u, SdesItemType.Cname, "cde")], items);
    }

    [Fact]
    public void Sdes_chunk_count_beyond_the_body_is_malformed()
    {
        byte[] sdes = [0x83, 202, 0, 2, 0, 0, 0, 1, 1, 1, (byte)'a', 0];
        Assert.Equal(RtcpParseStatus.Ok, RtcpCompoundReader.TryReadOne(sdes, out RtcpPacket p, out _));
        var reader = new RtcpSdesReader(p);
        Assert.Equal(RtcpParseStatus.Ok, reader.TryReadNext(out _, out _, out _));
        Assert.Equal(RtcpParseStatus.Malformed, reader.TryReadNext(out _, out _, out _));
        Assert.Equal(RtcpParseStatus.Malformed, reader.TryReadNext(out _, out _, out _));
    }

    [Fact]
    public void Bye_without_reason_and_with_a_reason_overrunning_the_packet()
    {
        byte[] plain = [0x81, 203, 0, 1, 0, 0, 0, 7];
        RtcpCompoundReader.TryReadOne(plain, out RtcpPacket p, out _);
        Assert.Equal(RtcpParseStatus.Ok, RtcpBye.TryParse(p, out RtcpBye bye));
        Assert.Equal(1, bye.SourceCount);
        Assert.True(bye.Reason.IsEmpty);

        byte[] overrun = [0x81, 203, 0, 2, 0, 0, 0, 7, 9, (byte)'a', (byte)'b', (byte)'c'];
        RtcpCompoundReader.TryReadOne(overrun, out p, out _);
        Assert.Equal(RtcpParseStatus.Malformed, RtcpBye.TryParse(p, out _));
        Assert.Equal(RtcpParseStatus.WrongType, RtcpReport.TryParse(p, out _));
    }

    [Fact]
    public void Ntp_time_of_the_unix_epoch()
    {
        Assert.Equal(2_208_988_800UL << 32, NtpTime.FromDateTimeOffset(DateTimeOffset.UnixEpoch));
        Assert.Equal((2_208_988_800UL << 32) | 0x8000_0000, NtpTime.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddMilliseconds(500)));
        Assert.Equal(0x5678_9ABCu, NtpTime.Middle32(0x1234_5678_9ABC_DEF0));
    }

    private static void WalkEverything(ReadOnlySpan<byte> datagram)
    {
        var reader = new RtcpCompoundReader(datagram);
        while (reader.TryReadNext(out RtcpPacket p) == RtcpParseStatus.Ok)
        {
            if (RtcpReport.TryParse(p, out RtcpReport report) == RtcpParseStatus.Ok)
            {
                for (int i = 0; i < report.BlockCount; i++)
                {
                    _ = report.GetBlock(i);
                }
            }

            if (RtcpBye.TryParse(p, out RtcpBye bye) == RtcpParseStatus.Ok)
            {
                for (int i = 0; i < bye.SourceCount; i++)
                {
                    _ = bye.GetSource(i);
                }
            }

            var sdes = new RtcpSdesReader(p);
            int guard = 0;
            while (sdes.TryReadNext(out _, out _, out _) == RtcpParseStatus.Ok && guard++ < 1000)
            {
            }
        }
    }
}
