using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Phone;
using Switchboard.Media.Relay;
using Switchboard.Media.Rtcp;
using Switchboard.Media.Rtp;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.Relay;

/// <summary>
/// A phone leg's RTCP (docs/media.md, "Call quality" and "RTCP we send"): it measures the phone's stream, sends the phone its
/// own sender report for the stream it relays to it from the first packet on, where the SDP says the phone takes RTCP, and
/// the phone's report echoing it gives the round trip (RFC 3550 section 6.4.1).
/// </summary>
public sealed class RtpLegRtcpTests : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    private static readonly Ssrc FarStream = new(0xB0B0B0B0);
    private readonly MediaPortPool _pool = RawPhone.Pool();
    private readonly RawPhone _phone = new(0xA0A0A0A0);
    private readonly ConcurrentQueue<RtpLegEvent> _events = new();
    private readonly RtpLeg _leg;

    public RtpLegRtcpTests() =>
        _leg = RtpLeg.TryCreate(_pool, Shards.TestShard.Shared, NullLogger.Instance, _events.Enqueue) ?? throw new InvalidOperationException("no port");

    [Fact]
    public async Task With_rtcp_mux_our_first_sender_report_reaches_the_phone_before_its_own_rtcp_and_its_reply_gives_the_round_trip()
    {
        _leg.SetRemote(_phone.EndPoint, RawPhone.Audio(0, 101) with { RtcpMux = true });
        var from = _phone.EndPoint.Serialize();
        var now = TimeSpan.FromSeconds(10);
        var firstSent = now + Tick;

        // 100 packets each way: the phone's to us (every tenth lost), the far leg's relayed to the phone in our SSRC.
        for (ushort i = 0; i < 100; i++)
        {
            now += Tick;
            if (i % 10 != 5)
            {
                _leg.Session.HandleDatagram(PhonePacket(i), from, now);
            }

            _leg.OnRelayedRtp(FarPacket((ushort)(5000 + i)), RelayedPayload.Audio, now);
            _leg.Session.Poll(now);
        }

        Assert.Equal(10, _leg.Session.Quality.Received!.Value.PacketsLost);

        // Our first report left with the first packet we relayed (RFC 3550 section 6.2), before the phone sent any RTCP:
        // an SR speaking for the stream we relay, at the address rtcp-mux agreed on (its RTP address, RFC 5761).
        Assert.Equal(1, _leg.Session.RtcpPacketsSent);
        var report = await ReceiveSenderReportAsync(_phone.Socket);
        Assert.Equal(_leg.Session.LocalSsrc, BinaryPrimitives.ReadUInt32BigEndian(report.AsSpan(4)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(report.AsSpan(20)));
        var lsr = NtpTime.Middle32(BinaryPrimitives.ReadUInt64BigEndian(report.AsSpan(8)));

        // The phone's first report already echoes it: it held it DLSR = 1.8 s and says it lost 2 of our 100. A - LSR is
        // the time since we sent the SR on our own clock, so RTT = (now - first sent) - DLSR (RFC 3550 section 6.4.1).
        const uint Dlsr = 117_965; // 1.8 s in 1/65536 s, rounded down
        _leg.Session.HandleDatagram(Report(lost: 2, lsr, Dlsr), from, now);
        Assert.Equal((now - firstSent).TotalMilliseconds - (Dlsr * 1000.0 / 65536), _leg.Session.Quality.RoundTripMs!.Value, 6);
        Assert.Equal(2, _leg.Session.Quality.Reported!.Value.LossPercent, 9);

        // At the next interval the next report, and the figures for the call.
        now += TimeSpan.FromSeconds(8);
        _leg.Session.Poll(now);
        Assert.Equal(2, _leg.Session.RtcpPacketsSent);
        Assert.Contains(_events, e => e.Kind == RtpLegEventKind.QualitySampled);
    }

    [Fact]
    public async Task Without_rtcp_mux_our_reports_go_to_the_phones_rtcp_port_then_where_its_rtcp_comes_from()
    {
        // A phone that does not multiplex and names its RTCP port (RFC 3605 a=rtcp).
        using var phoneRtcp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var rtcpPort = ((IPEndPoint)phoneRtcp.Client.LocalEndPoint!).Port;
        _leg.SetRemote(_phone.EndPoint, RawPhone.Audio(0, 101) with { RemoteRtcpPort = rtcpPort });
        var now = TimeSpan.FromSeconds(1);
        _leg.Session.HandleDatagram(PhonePacket(1), _phone.EndPoint.Serialize(), now);
        _leg.OnRelayedRtp(FarPacket(5000), RelayedPayload.Audio, now);
        _leg.Session.Poll(now);

        var first = await ReceiveSenderReportAsync(phoneRtcp);
        Assert.Equal(_leg.Session.LocalSsrc, BinaryPrimitives.ReadUInt32BigEndian(first.AsSpan(4)));

        // Its own RTCP comes from its RTP port instead: from then on our reports follow it (symmetric RTCP, RFC 4961).
        _leg.Session.HandleDatagram(Report(0, 0, 0), _phone.EndPoint.Serialize(), now);
        _leg.OnRelayedRtp(FarPacket(5001), RelayedPayload.Audio, now);
        now += TimeSpan.FromSeconds(8);
        _leg.Session.Poll(now);
        await ReceiveSenderReportAsync(_phone.Socket);
        Assert.Equal(2, _leg.Session.RtcpPacketsSent);
    }

    /// <summary>The next SR on <paramref name="socket"/>, skipping the relayed RTP before it; bounded.</summary>
    private static async Task<byte[]> ReceiveSenderReportAsync(UdpClient socket)
    {
        for (var i = 0; i < 200; i++)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var datagram = (await socket.ReceiveAsync(cts.Token)).Buffer;
            if (datagram.Length > 28 && datagram[1] == (byte)RtcpPacketType.SenderReport)
            {
                return datagram;
            }
        }

        throw new InvalidOperationException("no sender report among 200 datagrams");
    }

    [Fact]
    public void Rtcp_from_the_port_above_the_phones_is_taken_and_from_elsewhere_dropped()
    {
        _leg.SetRemote(_phone.EndPoint, RawPhone.Audio(0, 101));
        var now = TimeSpan.FromSeconds(1);
        _leg.Session.HandleDatagram(Report(0, 0, 0), new IPEndPoint(IPAddress.Loopback, _phone.EndPoint.Port + 1).Serialize(), now);
        _leg.Session.HandleDatagram(Report(0, 0, 0), new IPEndPoint(IPAddress.Loopback, _phone.EndPoint.Port + 2).Serialize(), now);

        Assert.Equal(1, _leg.Counters.RtcpPacketsReceived);
        Assert.Equal(1, _leg.Counters.PacketsDropped);
    }

    public async ValueTask DisposeAsync()
    {
        await _leg.DisposeAsync();
        _phone.Dispose();
        _pool.Dispose();
    }

    private static byte[] PhonePacket(ushort sequence) => Packet(new Ssrc(0xA0A0A0A0), sequence);

    private static byte[] FarPacket(ushort sequence) => Packet(FarStream, sequence);

    private static byte[] Packet(Ssrc ssrc, ushort sequence)
    {
        var packet = new byte[12 + 160];
        packet[0] = 0x80;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence * 160u);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc.Value);
        return packet;
    }

    /// <summary>The phone's RR about the stream it receives from us: the far leg's packets, relayed in our SSRC.</summary>
    private byte[] Report(int lost, uint lsr, uint dlsr)
    {
        var buffer = new byte[64];
        var ours = new Ssrc(_leg.Session.LocalSsrc);
        Assert.True(RtcpWriter.TryWriteReceiverReport(buffer, new Ssrc(0xA0A0A0A0), [new ReportBlock(ours, 0, lost, 5099, 8, lsr, dlsr)], out var n));
        return buffer[..n];
    }
}
