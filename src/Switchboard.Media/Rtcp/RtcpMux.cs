namespace Switchboard.Media.Rtcp;

/// <summary>Telling RTP from RTCP on one port (RFC 5761 section 4).</summary>
public static class RtcpMux
{
    /// <summary>
    /// True when the datagram's second byte is 192-223, the RTCP packet types 192-223 (SR 200, RR 201,
    /// SDES 202, BYE 203, APP 204, feedback 205-206, XR 207). RTP payload types 64-95 would collide,
    /// which is why they are never used with rtcp-mux. Call after the RFC 7983 first-byte split.
    /// </summary>
    public static bool IsRtcp(ReadOnlySpan<byte> datagram) => datagram.Length >= 2 && datagram[1] is >= 192 and <= 223;
}
