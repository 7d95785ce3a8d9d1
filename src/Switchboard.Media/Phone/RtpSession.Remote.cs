using System.Net;
using System.Net.Sockets;
using Switchboard.Media.Sdp;

namespace Switchboard.Media.Phone;

public sealed partial class RtpSession
{
    private volatile RemoteTarget? _remote;

    /// <summary>Where packets to the phone go now (the latched address, else the SDP one); null before <see cref="SetRemote"/>.</summary>
    public IPEndPoint? RemoteEndPoint => _remote?.SendToEndPoint;

    /// <summary>What was agreed with the phone; null before <see cref="SetRemote"/>.</summary>
    public SdpNegotiatedAudio? Audio => _remote?.Audio;

    /// <summary>
    /// The phone's RTP address and the agreed payload types, from its SDP; again after every re-INVITE.
    /// An unspecified address (c=0.0.0.0 hold) or port 0 means: send nothing until it changes.
    /// When the address is unchanged a latched address is kept (a re-INVITE that only changes
    /// direction must not undo NAT latching); a new address starts latching afresh.
    /// Thread-safe: publishes one immutable snapshot.
    /// </summary>
    public void SetRemote(IPEndPoint rtpEndPoint, SdpNegotiatedAudio audio)
    {
        ArgumentNullException.ThrowIfNull(rtpEndPoint);
        ArgumentNullException.ThrowIfNull(audio);
        var usable = rtpEndPoint.Port != 0 && !rtpEndPoint.Address.Equals(IPAddress.Any) && !rtpEndPoint.Address.Equals(IPAddress.IPv6Any);
        var sdpEndPoint = ToSocketFamily(rtpEndPoint);
        var sdpAddress = usable ? sdpEndPoint.Serialize() : null;
        var previous = _remote;
        _remote = previous is { Latched: true } && previous.SdpEndPoint.Equals(sdpEndPoint) && sdpAddress is not null
            ? previous with { Audio = audio }
            : new RemoteTarget(audio, sdpEndPoint, sdpAddress, sdpAddress, usable ? sdpEndPoint : null, Latched: false);
        LogRemoteSet(_log, LocalPort, rtpEndPoint);
    }

    /// <summary>
    /// Symmetric RTP (RFC 4961) with latching, the rule for phones behind NAT whose SDP carries a private
    /// address: the first valid RTP packet (version 2, a negotiated payload type) from any address latches
    /// it, and from then on we send there and accept only the latched and the SDP address; a packet from the
    /// SDP address latches back to it. Latching waits for a usable SDP address (not during a c=0.0.0.0
    /// hold). The price is the one every latching relay pays: before the phone's first packet, a
    /// third party that guesses the port and sends first takes the stream; it is short-lived (the
    /// phone's own packets are then dropped, which shows as one-way audio) and needs the port.
    /// Runs on the loop only; returns whether the datagram is accepted.
    /// </summary>
    private bool AcceptFrom(SocketAddress source, bool validRtp, out RemoteTarget? remote)
    {
        remote = _remote;
        if (remote?.SdpAddress is null)
        {
            return false;
        }

        if (remote.Latched && source.Equals(remote.SendTo))
        {
            return true;
        }

        if (!validRtp)
        {
            // RTCP and anything else: only from the accepted addresses, and it never latches.
            return source.Equals(remote.SdpAddress);
        }

        if (remote.Latched && !source.Equals(remote.SdpAddress))
        {
            return false;
        }

        var latched = Copy(source);
        var endPoint = (IPEndPoint)remote.SdpEndPoint.Create(latched);
        var next = remote with { SendTo = latched, SendToEndPoint = endPoint, Latched = true };

        // SetRemote may have published a newer snapshot meanwhile; it wins, and the next packet latches against it.
        if (Interlocked.CompareExchange(ref _remote, next, remote) == remote)
        {
            remote = next;
            LogLatched(_log, LocalPort, endPoint);
        }

        return true;
    }

    private static SocketAddress Copy(SocketAddress source)
    {
        var copy = new SocketAddress(source.Family, source.Size);
        source.Buffer.Span[..source.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    /// <summary>The socket is IPv4 or IPv6 as bound; an IPv4 phone on a dual-stack socket would need mapping, which the pool does not do.</summary>
    private IPEndPoint ToSocketFamily(IPEndPoint endPoint) =>
        _family == AddressFamily.InterNetworkV6 && endPoint.AddressFamily == AddressFamily.InterNetwork
            ? new IPEndPoint(endPoint.Address.MapToIPv6(), endPoint.Port)
            : endPoint;

    /// <summary>
    /// One immutable snapshot of where to send and what was agreed, swapped whole so the relay path
    /// (another leg's thread) reads a consistent pair without a lock.
    /// </summary>
    private sealed record RemoteTarget(
        SdpNegotiatedAudio Audio,
        IPEndPoint SdpEndPoint,
        SocketAddress? SdpAddress,
        SocketAddress? SendTo,
        IPEndPoint? SendToEndPoint,
        bool Latched);
}
