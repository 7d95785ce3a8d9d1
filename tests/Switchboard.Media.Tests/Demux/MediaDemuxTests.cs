using Switchboard.Media.Demux;

namespace Switchboard.Media.Tests.Demux;

public class MediaDemuxTests
{
    [Theory]
    [InlineData(0, DatagramKind.Stun)]
    [InlineData(1, DatagramKind.Stun)]
    [InlineData(3, DatagramKind.Stun)]
    [InlineData(4, DatagramKind.Drop)]
    [InlineData(16, DatagramKind.Drop)] // ZRTP
    [InlineData(19, DatagramKind.Drop)] // ZRTP
    [InlineData(20, DatagramKind.Dtls)] // change_cipher_spec
    [InlineData(22, DatagramKind.Dtls)] // handshake
    [InlineData(23, DatagramKind.Dtls)] // application_data
    [InlineData(47, DatagramKind.Dtls)] // DTLS 1.3 unified header
    [InlineData(63, DatagramKind.Dtls)]
    [InlineData(64, DatagramKind.Drop)] // TURN channel
    [InlineData(79, DatagramKind.Drop)]
    [InlineData(127, DatagramKind.Drop)]
    [InlineData(192, DatagramKind.Drop)]
    [InlineData(255, DatagramKind.Drop)]
    public void First_byte_decides_per_RFC_7983(byte first, DatagramKind expected)
    {
        byte[] datagram = new byte[24];
        datagram[0] = first;
        Assert.Equal(expected, MediaDemux.Classify(datagram));
    }

    [Theory]
    [InlineData(0x80, 0, DatagramKind.Rtp)] // PCMU
    [InlineData(0x80, 111, DatagramKind.Rtp)] // opus
    [InlineData(0x80, 0x80 | 111, DatagramKind.Rtp)] // opus with marker
    [InlineData(0x80, 126, DatagramKind.Rtp)] // telephone-event
    [InlineData(0x80, 191, DatagramKind.Rtp)] // marker + PT 63
    [InlineData(0x80, 192, DatagramKind.Rtcp)] // FIR (historic), lower bound of RFC 5761
    [InlineData(0x80, 200, DatagramKind.Rtcp)] // SR
    [InlineData(0x81, 201, DatagramKind.Rtcp)] // RR with one report block
    [InlineData(0x81, 205, DatagramKind.Rtcp)] // RTPFB
    [InlineData(0x8F, 206, DatagramKind.Rtcp)] // PSFB, FMT 15
    [InlineData(0x80, 223, DatagramKind.Rtcp)] // upper bound
    [InlineData(0x80, 224, DatagramKind.Rtp)] // marker + PT 96
    [InlineData(0xBF, 0, DatagramKind.Rtp)]
    public void Rtcp_is_told_from_rtp_by_the_packet_type_per_RFC_5761(byte first, byte second, DatagramKind expected)
    {
        byte[] datagram = new byte[12];
        datagram[0] = first;
        datagram[1] = second;
        Assert.Equal(expected, MediaDemux.Classify(datagram));
    }

    [Fact]
    public void Empty_and_one_byte_rtp_are_dropped()
    {
        Assert.Equal(DatagramKind.Drop, MediaDemux.Classify([]));
        Assert.Equal(DatagramKind.Drop, MediaDemux.Classify([0x80]));
        Assert.Equal(DatagramKind.Stun, MediaDemux.Classify([0x00]));
    }

    [Fact]
    public void Every_first_byte_maps_to_exactly_the_RFC_7983_ranges()
    {
        for (int b = 0; b < 256; b++)
        {
            DatagramKind kind = MediaDemux.Classify([(byte)b, 0]);
            DatagramKind expected = b switch
            {
                <= 3 => DatagramKind.Stun,
                >= 20 and <= 63 => DatagramKind.Dtls,
                >= 128 and <= 191 => DatagramKind.Rtp,
                _ => DatagramKind.Drop,
            };
            Assert.Equal(expected, kind);
        }
    }
}
