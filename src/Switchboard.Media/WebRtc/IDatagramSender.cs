using Switchboard.Media.Stun;

namespace Switchboard.Media.WebRtc;

/// <summary>Where a session's datagrams go: a UDP socket in the server, a simulated network in tests.</summary>
public interface IDatagramSender
{
    /// <summary>Sends at once or drops; never blocks, never throws for network trouble (UDP has no promises).</summary>
    void Send(ReadOnlySpan<byte> datagram, TransportAddress destination);
}
