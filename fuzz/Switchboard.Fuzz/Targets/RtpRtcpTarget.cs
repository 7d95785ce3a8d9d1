using Switchboard.Media.Demux;
using Switchboard.Media.Dtmf;
using Switchboard.Media.Rtcp;
using Switchboard.Media.Rtp;

namespace Switchboard.Fuzz.Targets;

/// <summary>
/// One datagram on a media port, classified by the RFC 7983 demultiplexer, then read as RTP (RFC 3550
/// section 5.1, with an RFC 4733 event payload) and as compound RTCP (section 6: SR, RR, SDES, BYE) by
/// the parsers and by the RTCP scheduler's intake. A refusal is a parse status other than Ok; every
/// offset an accepted header reports must lie inside the packet.
/// </summary>
public sealed class RtpRtcpTarget : IFuzzTarget
{
    public const string TargetName = "rtp-rtcp";

    public string Name => TargetName;

    public void Run(ReadOnlySpan<byte> input)
    {
        _ = MediaDemux.Classify(input);
        ReadRtp(input);
        ReadRtcp(input);
        // A fresh scheduler each time: what one input taught it must not change how the next is read.
        var scheduler = new RtcpScheduler(new Ssrc(0x1234_5678), "fuzz@switchboard", 8000, new Random(1), TimeSpan.Zero);
        scheduler.OnRtcpReceived(input, TimeSpan.FromSeconds(1));
    }

    private static void ReadRtp(ReadOnlySpan<byte> input)
    {
        if (RtpHeader.TryParse(input, out var header) != RtpParseStatus.Ok)
        {
            return;
        }

        if (header.HeaderLength + header.PayloadLength + header.PaddingLength > input.Length)
        {
            throw new FuzzInvariantException("header, payload and padding run past the packet");
        }

        var payload = header.GetPayload(input);
        if (header.HasExtension)
        {
            _ = header.GetExtension(input);
        }

        for (var i = 0; i < header.CsrcCount; i++)
        {
            _ = header.GetCsrc(input, i);
        }

        _ = TelephoneEvent.TryRead(payload, out _);
    }

    private static void ReadRtcp(ReadOnlySpan<byte> input)
    {
        var reader = new RtcpCompoundReader(input);
        while (reader.TryReadNext(out var packet) == RtcpParseStatus.Ok)
        {
            _ = packet.Count;
            if (RtcpReport.TryParse(packet, out var report) == RtcpParseStatus.Ok)
            {
                for (var i = 0; i < report.BlockCount; i++)
                {
                    _ = report.GetBlock(i);
                }
            }

            if (RtcpBye.TryParse(packet, out var bye) == RtcpParseStatus.Ok)
            {
                for (var i = 0; i < bye.SourceCount; i++)
                {
                    _ = bye.GetSource(i);
                }
            }

            var sdes = new RtcpSdesReader(packet);
            while (sdes.TryReadNext(out _, out _, out _) == RtcpParseStatus.Ok)
            {
            }
        }

        _ = RtcpCompoundReader.TryReadOne(input, out _, out var consumed);
        if (consumed < 0 || consumed > input.Length)
        {
            throw new FuzzInvariantException($"RTCP consumed {consumed} of {input.Length} bytes");
        }
    }
}
