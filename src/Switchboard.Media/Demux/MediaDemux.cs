namespace Switchboard.Media.Demux;

/// <summary>What a datagram on a WebRTC media port is, by its first bytes.</summary>
public enum DatagramKind : byte
{
    /// <summary>Empty, ZRTP, TURN channel data, or a first byte no protocol of ours uses: discard.</summary>
    Drop = 0,
    Stun,
    Dtls,
    Rtp,
    Rtcp,
}

/// <summary>
/// The one demultiplexer of every media port, WebRTC and plain RTP alike: RFC 7983 section 7 on the
/// first byte, then RFC 5761 section 4 on the second byte to tell RTCP (packet types 192-223: SR 200,
/// RR 201, SDES 202, BYE 203, APP 204, feedback 205-206, XR 207) from RTP, whose payload types 64-95
/// would collide and are therefore never used with rtcp-mux. It does not validate the packet; the
/// protocol's own parser does.
/// </summary>
public static class MediaDemux
{
    public static DatagramKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return DatagramKind.Drop;
        }

        byte first = datagram[0];
        if (first <= 3)
        {
            return DatagramKind.Stun;
        }

        if (first is >= 20 and <= 63)
        {
            return DatagramKind.Dtls;
        }

        if (first is >= 128 and <= 191)
        {
            if (datagram.Length < 2)
            {
                return DatagramKind.Drop;
            }

            return datagram[1] is >= 192 and <= 223 ? DatagramKind.Rtcp : DatagramKind.Rtp;
        }

        return DatagramKind.Drop;
    }
}
