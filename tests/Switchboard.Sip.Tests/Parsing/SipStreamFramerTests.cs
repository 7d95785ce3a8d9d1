using System.Buffers;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Tests.Parsing;

public class SipStreamFramerTests
{
    private static readonly byte[] First = Fixtures.Crlf("""
        INVITE sip:bob@example.com SIP/2.0
        Via: SIP/2.0/TCP pc33.example.com;branch=z9hG4bK776asdhds
        Max-Forwards: 70
        To: Bob <sip:bob@example.com>
        From: Alice <sip:alice@example.com>;tag=1928301774
        Call-ID: a84b4c76e66710@pc33.example.com
        CSeq: 314159 INVITE
        Contact: <sip:alice@pc33.example.com;transport=tcp>
        Content-Type: application/sdp
        Content-Length: 10

        v=0
        o=-

        """);

    private static readonly byte[] Second = Fixtures.Crlf("""
        BYE sip:bob@example.com SIP/2.0
        Via: SIP/2.0/TCP pc33.example.com;branch=z9hG4bK776asdhdt
        Max-Forwards: 70
        To: Bob <sip:bob@example.com>;tag=a6c85cf
        From: Alice <sip:alice@example.com>;tag=1928301774
        Call-ID: a84b4c76e66710@pc33.example.com
        CSeq: 314160 BYE
        l: 0


        """);

    [Fact]
    public void The_fixtures_are_what_the_test_assumes()
    {
        Assert.True(SipParser.Parse(First, framing: SipTransportFraming.Stream).IsSuccess);
        Assert.True(SipParser.Parse(Second, framing: SipTransportFraming.Stream).IsSuccess);
    }

    [Fact]
    public void Cut_at_every_byte_needs_more_data_without_consuming_then_frames_both_messages()
    {
        var framer = new SipStreamFramer();
        byte[] stream = [.. First, .. Second];
        for (var cut = 0; cut < stream.Length; cut++)
        {
            var head = stream.AsSpan(0, cut);
            var frame = framer.Scan(head);
            if (cut < First.Length)
            {
                Assert.Equal(SipFrameStatus.NeedMoreData, frame.Status);
                Assert.Equal(0, frame.Consumed);
                continue;
            }
            Assert.Equal(SipFrameStatus.Message, frame.Status);
            Assert.Equal(First.Length, frame.Length);
            var rest = head[frame.Consumed..];
            var second = framer.Scan(rest);
            Assert.Equal(SipFrameStatus.NeedMoreData, second.Status);
            Assert.Equal(0, second.Consumed);
        }
        var all = stream.AsSpan();
        var f1 = framer.Scan(all);
        Assert.Equal(SipFrameStatus.Message, f1.Status);
        var m1 = SipParser.Parse(all[..f1.Length], framing: SipTransportFraming.Stream);
        Assert.True(m1.IsSuccess);
        Assert.Equal("v=0\r\no=-\r\n"u8.ToArray(), m1.Message!.Body.ToArray());
        var f2 = framer.Scan(all[f1.Consumed..]);
        Assert.Equal(SipFrameStatus.Message, f2.Status);
        Assert.Equal(Second.Length, f2.Length);
        var m2 = SipParser.Parse(all.Slice(f1.Consumed, f2.Length), framing: SipTransportFraming.Stream);
        Assert.True(m2.IsSuccess);
        Assert.Equal("BYE", m2.Message!.CSeq.Method.Name);
    }

    [Fact]
    public void Multi_segment_sequences_frame_the_same_as_spans()
    {
        var framer = new SipStreamFramer();
        byte[] stream = [.. First, .. Second];
        for (var split = 1; split < stream.Length; split += 7)
        {
            var seq = Segments(stream, split);
            var frame = framer.Scan(seq);
            Assert.Equal(SipFrameStatus.Message, frame.Status);
            Assert.Equal(First.Length, frame.Length);
        }
        var partial = Segments(stream.AsSpan(0, First.Length - 1).ToArray(), 40);
        Assert.Equal(SipFrameStatus.NeedMoreData, framer.Scan(partial).Status);
    }

    [Fact]
    public void Keepalives_are_reported_and_consumed()
    {
        var framer = new SipStreamFramer();
        Assert.Equal(new SipFrame(SipFrameStatus.Ping, 4, 0, SipParseError.None), framer.Scan("\r\n\r\nINVITE"u8));
        Assert.Equal(SipFrameStatus.Pong, framer.Scan("\r\nINVITE"u8).Status);
        Assert.Equal(2, framer.Scan("\r\nINVITE"u8).Consumed);
        Assert.Equal(SipFrameStatus.NeedMoreData, framer.Scan("\r\n"u8).Status);
        Assert.Equal(SipFrameStatus.NeedMoreData, framer.Scan("\r\n\r"u8).Status);
    }

    [Fact]
    public void Missing_content_length_and_oversize_are_errors()
    {
        var framer = new SipStreamFramer(new SipParserOptions { MaxHeaderSize = 1000, MaxBodySize = 5 });
        var noCl = Fixtures.Crlf("OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\n\n");
        Assert.Equal(SipParseError.MissingContentLength, framer.Scan(noCl).Error);
        Assert.Equal(SipParseError.MissingContentLength, SipParser.Parse(System.Text.Encoding.ASCII.GetBytes(System.Text.Encoding.ASCII.GetString(Second).Replace("l: 0\r\n", "", StringComparison.Ordinal)), framing: SipTransportFraming.Stream).Error);
        Assert.Equal(SipParseError.MessageTooLarge, framer.Scan(Enumerable.Repeat((byte)'a', 1200).ToArray()).Error);
        Assert.Equal(SipParseError.BodyTooLarge, framer.Scan(First).Error);
        Assert.Equal(SipParseError.BadContentLength, framer.Scan(Fixtures.Crlf("OPTIONS sip:a@b SIP/2.0\nContent-Length: -1\n\n")).Error);
    }

    private static ReadOnlySequence<byte> Segments(byte[] data, int split)
    {
        var first = new Segment(data.AsMemory(0, split), 0);
        var last = first.Append(data.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
