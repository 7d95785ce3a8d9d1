using Switchboard.Media.Demux;
using Switchboard.Media.Rtcp;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Tests.Rtcp;

/// <summary>RFC 5761 section 4 through the one demultiplexer every leg uses.</summary>
public class RtcpMuxTests
{
    [Fact]
    public void Rtcp_packets_are_told_from_rtp_with_and_without_marker()
    {
        var buffer = new byte[64];
        RtcpWriter.TryWriteReceiverReport(buffer, new Ssrc(1), [], out int n);
        Assert.Equal(DatagramKind.Rtcp, MediaDemux.Classify(buffer.AsSpan(0, n)));
        RtcpWriter.TryWriteSenderReport(buffer, new Ssrc(1), default, [], out n);
        Assert.Equal(DatagramKind.Rtcp, MediaDemux.Classify(buffer.AsSpan(0, n)));

        foreach (byte pt in new byte[] { 0, 8, 111, 126, 127 })
        {
            foreach (bool marker in new[] { false, true })
            {
                RtpWriter.TryWrite(buffer, new RtpPacketFields(new PayloadType(pt), 1, 2, new Ssrc(3), marker), [], out n);
                Assert.Equal(DatagramKind.Rtp, MediaDemux.Classify(buffer.AsSpan(0, n)));
            }
        }

        Assert.Equal(DatagramKind.Drop, MediaDemux.Classify([0x80]));
    }
}
