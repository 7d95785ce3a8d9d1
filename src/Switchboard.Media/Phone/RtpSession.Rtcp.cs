using System.Buffers.Binary;
using System.Net;
using Switchboard.Media.Rtcp;
using Switchboard.Media.Rtp;
using Switchboard.Media.Shards;

namespace Switchboard.Media.Phone;

/// <summary>
/// RTCP with the phone (RFC 3550 section 6): our reception statistics of its stream, its reception reports about ours,
/// and our own SR/RR so that its reports carry LSR/DLSR and give a round trip (docs/media.md, "Call quality"). Runs on
/// the owner's thread; per RTP packet only the statistics' update (no allocation, no lock).
/// </summary>
public sealed partial class RtpSession
{
    private RtcpScheduler? _rtcp;
    private SocketAddress? _rtcpTo;
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
    /// port when the phone does not multiplex). Our reports go back where its reports come from (symmetric RTCP, RFC
    /// 4961), so a phone that ignored rtcp-mux gets them on its RTCP port, and a phone that sends none gets none.
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

    /// <summary>Counts a packet we sent the phone, in whatever SSRC it carries (ours, or the far leg's when relayed).</summary>
    private void CountSent(ReadOnlySpan<byte> packet)
    {
        if (RtpHeader.TryParse(packet, out var header) == RtpParseStatus.Ok)
        {
            Rtcp(_now)?.OnRtpSent(header.Ssrc, header.SequenceNumber, header.Timestamp, header.PayloadLength, _now);
        }
    }

    /// <summary>At each report interval: our SR or RR to the phone (once it showed where its RTCP comes from), and <see cref="RtpLegEventKind.QualitySampled"/>.</summary>
    private TimeSpan PollRtcp(TimeSpan now, TimeSpan next)
    {
        if (_rtcp is not { } rtcp)
        {
            return next;
        }

        if (rtcp.IsReportDue(now))
        {
            if (rtcp.TryBuildReport(_scratch.Send, now, NtpNow(), out var length) && _rtcpTo is { } to && _sender.Send(_scratch.Send.AsSpan(0, length), to))
            {
                _rtcpOut++;
            }

            Raise(new RtpLegEvent(RtpLegEventKind.QualitySampled));
        }

        return rtcp.NextReportDue < next ? rtcp.NextReportDue : next;
    }

    /// <summary>The wall clock for sender reports only; the round trip itself is measured on the monotonic clock.</summary>
    private ulong NtpNow() => NtpTime.FromDateTimeOffset(WallClock.GetUtcNow());

    /// <summary>True when <paramref name="candidate"/> is the accepted address's IP with the port above its own.</summary>
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
        return BinaryPrimitives.ReadUInt16BigEndian(a[2..]) == (ushort)(BinaryPrimitives.ReadUInt16BigEndian(b[2..]) + 1) && a[4..].SequenceEqual(b[4..]);
    }
}
