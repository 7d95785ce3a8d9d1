using System.Buffers.Binary;
using System.Net;
using Switchboard.Media.Rtcp;
using Switchboard.Media.Rtp;
using Switchboard.Media.Shards;

namespace Switchboard.Media.Phone;

/// <summary>
/// RTCP with the phone (RFC 3550 section 6): our reception statistics of its stream, its reception reports about ours,
/// and our own SR/RR so that its reports carry LSR/DLSR and give a round trip (docs/media.md, "RTCP we send"). Runs on
/// the owner's thread; per RTP packet only the statistics' update (no allocation, no lock).
/// </summary>
public sealed partial class RtpSession
{
    private RtcpScheduler? _rtcp;
    private SocketAddress? _rtcpTo;
    private RemoteTarget? _rtcpDefaultFor;
    private SocketAddress? _rtcpDefault;
    private TimeSpan _now;
    private long _rtcpOut;

    /// <summary>The wall clock our sender reports carry (RFC 3550 section 6.4.1); the shard's clock in the server.</summary>
    public TimeProvider WallClock { get; set; } = TimeProvider.System;

    /// <summary>Loss, jitter and round trip of this leg from RTCP; default until RTP flowed. On the owner's thread only.</summary>
    public LegQuality Quality => _rtcp?.Quality ?? default;

    /// <summary>RTCP compound packets sent to the phone.</summary>
    public long RtcpPacketsSent => Volatile.Read(ref _rtcpOut);

    /// <summary>The session's RTCP, made at the first packet either way, at the agreed codec's clock rate.</summary>
    private RtcpScheduler? Rtcp(TimeSpan now) =>
        _rtcp ??= _remote is { } remote ? new RtcpScheduler(new Ssrc(LocalSsrc), "switchboard", remote.Audio.Codec.Codec.ClockRate, Random.Shared, now) : null;

    /// <summary>
    /// The phone's RTCP: from an accepted address, or from the port above one (RFC 3550 section 11: RTCP on the next
    /// port when the phone does not multiplex). From then on our reports go back where its reports come from
    /// (symmetric RTCP, RFC 4961), which also finds a phone behind NAT (see <see cref="RtcpDestination"/>).
    /// </summary>
    private void OnRtcp(ReadOnlySpan<byte> datagram, SocketAddress source, TimeSpan now)
    {
        if (!AcceptFrom(source, validRtp: false, out var remote) && !IsRtcpPortOf(source, remote))
        {
            _packetsDropped++;
            return;
        }

        _rtcpIn++;
        if (_rtcpTo is null || !_rtcpTo.Equals(source))
        {
            _rtcpTo = Copy(source);
        }

        Rtcp(now)?.OnRtcpReceived(datagram, now);
    }

    /// <summary>Counts a packet the phone sent us (RFC 3550 appendix A.1, A.3, A.8).</summary>
    private void CountReceived(in RtpHeader header, TimeSpan now) => Rtcp(now)?.OnRtpReceived(header, now, out _);

    /// <summary>Counts a packet we sent the phone (our SSRC: every packet is ours, see <see cref="RtpStreamRewriter"/>).</summary>
    private void CountSent(ReadOnlySpan<byte> packet)
    {
        if (RtpHeader.TryParse(packet, out var header) == RtpParseStatus.Ok)
        {
            Rtcp(_now)?.OnRtpSent(header.Ssrc, header.SequenceNumber, header.Timestamp, header.PayloadLength, _now);
        }
    }

    /// <summary>At each report interval: our SR or RR to the phone (see <see cref="RtcpDestination"/>), and <see cref="RtpLegEventKind.QualitySampled"/>.</summary>
    private TimeSpan PollRtcp(TimeSpan now, TimeSpan next)
    {
        if (_rtcp is not { } rtcp)
        {
            return next;
        }

        if (rtcp.IsReportDue(now))
        {
            if (rtcp.TryBuildReport(_scratch.Send, now, NtpNow(), out var length) && RtcpDestination() is { } to && _sender.Send(_scratch.Send.AsSpan(0, length), to))
            {
                _rtcpOut++;
            }

            Raise(new RtpLegEvent(RtpLegEventKind.QualitySampled));
        }

        return rtcp.NextReportDue < next ? rtcp.NextReportDue : next;
    }

    /// <summary>
    /// Where our reports go. Where the phone's own RTCP comes from, once it sent some; before that, where its SDP says it
    /// takes RTCP, so that our first sender report reaches it without waiting for its first report (its next report then
    /// echoes ours, RFC 3550 section 6.4.1, and the round trip is known one of its intervals sooner): the address we
    /// send RTP to when rtcp-mux was agreed (RFC 5761 section 5.1.1), else its a=rtcp port (RFC 3605) or the port above
    /// its RTP port (RFC 3550 section 11). Made once per remote snapshot, not per report.
    /// </summary>
    private SocketAddress? RtcpDestination()
    {
        if (_rtcpTo is { } learned)
        {
            return learned;
        }

        if (_remote is not { SendTo: { } rtp, SendToEndPoint: { } rtpEndPoint } remote)
        {
            return null;
        }

        if (remote.Audio.RtcpMux)
        {
            return rtp;
        }

        if (!ReferenceEquals(remote, _rtcpDefaultFor))
        {
            _rtcpDefaultFor = remote;
            var port = remote.Audio.RemoteRtcpPort ?? (rtpEndPoint.Port + 1);
            _rtcpDefault = port <= IPEndPoint.MaxPort ? new IPEndPoint(rtpEndPoint.Address, port).Serialize() : null;
        }

        return _rtcpDefault;
    }

    /// <summary>The wall clock for sender reports only; the round trip itself is measured on the monotonic clock.</summary>
    private ulong NtpNow() => NtpTime.FromDateTimeOffset(WallClock.GetUtcNow());

    /// <summary>True when <paramref name="candidate"/> is the accepted address's IP with the port above its own, or its a=rtcp port (RFC 3605).</summary>
    private static bool IsRtcpPortOf(SocketAddress candidate, RemoteTarget? remote)
    {
        var rtp = remote?.Latched == true ? remote.SendTo : remote?.SdpAddress;
        if (rtp is null || rtp.Size != candidate.Size || rtp.Family != candidate.Family)
        {
            return false;
        }

        // sockaddr_in and sockaddr_in6 alike: the family in bytes 0-1, the port (big-endian) in 2-3, then the address.
        var a = candidate.Buffer.Span[..candidate.Size];
        var b = rtp.Buffer.Span[..rtp.Size];
        var port = BinaryPrimitives.ReadUInt16BigEndian(a[2..]);
        var rtcpPort = remote!.Audio.RemoteRtcpPort ?? -1;
        return (port == (ushort)(BinaryPrimitives.ReadUInt16BigEndian(b[2..]) + 1) || port == rtcpPort) && a[4..].SequenceEqual(b[4..]);
    }
}
