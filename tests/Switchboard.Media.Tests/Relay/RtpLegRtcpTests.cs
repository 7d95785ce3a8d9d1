using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Phone;
using Switchboard.Media.Relay;
using Switchboard.Media.Rtcp;
using Switchboard.Media.Rtp;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.Relay;

/// <summary>
/// A phone leg's RTCP (docs/media.md, "Call quality"): it measures the phone's stream, answers the phone's RTCP with its own
/// sender report for the stream it relays to it, and the phone's next report gives the round trip (RFC 3550 section 6.4.1).
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
    public async Task The_phones_reports_give_loss_jitter_and_the_round_trip_of_our_sender_report()
    {
        _leg.SetRemote(_phone.EndPoint, RawPhone.Audio(0, 101));
        var from = _phone.EndPoint.Serialize();
        var now = TimeSpan.FromSeconds(10);

        // 100 packets each way: the phone's to us (every tenth lost), the far leg's relayed to the phone in its own SSRC.
        for (ushort i = 0; i < 100; i++)
        {
            now += Tick;
            if (i % 10 != 5)
            {
                _leg.Session.HandleDatagram(PhonePacket(i), from, now);
            }

            _leg.OnRelayedRtp(FarPacket((ushort)(5000 + i)), RelayedPayload.Audio);
            _leg.Session.Poll(now);
        }

        // Nothing is sent to a phone that has not shown where its RTCP comes from.
        Assert.Equal(0, _leg.Session.RtcpPacketsSent);
        var received = _leg.Session.Quality.Received!.Value;
        Assert.Equal(10, received.PacketsLost);

        // The phone's first report (no SR of ours to echo yet) says it lost 2 of our 100.
        _leg.Session.HandleDatagram(Report(lost: 2, lsr: 0, dlsr: 0), from, now);
        Assert.Equal(2, _leg.Session.Quality.Reported!.Value.LossPercent, 9);
        Assert.Null(_leg.Session.Quality.RoundTripMs);

        // At the next interval our SR goes back to where the report came from, speaking for the stream we relay.
        now += TimeSpan.FromSeconds(8);
        _leg.Session.Poll(now);
        Assert.Equal(1, _leg.Session.RtcpPacketsSent);
        Assert.Contains(_events, e => e.Kind == RtpLegEventKind.QualitySampled);
        // The relayed RTP reached the phone's socket first; the SR is the first RTCP packet after it.
        var sr = await _phone.ReceiveAsync(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 200 && sr is { Length: > 1 } && sr[1] != (byte)RtcpPacketType.SenderReport; i++)
        {
            sr = await _phone.ReceiveAsync(TimeSpan.FromSeconds(5));
        }

        Assert.NotNull(sr);

        Assert.Equal(RtcpParseStatus.Ok, RtcpCompoundReader.TryReadOne(sr, out var packet, out _));
        Assert.Equal(RtcpParseStatus.Ok, RtcpReport.TryParse(packet, out var report));
        Assert.True(report.IsSenderReport);
        Assert.Equal(FarStream, report.Reporter);
        var lsr = NtpTime.Middle32(report.SenderInfo.NtpTimestamp);

        // The phone held it 100 ms (DLSR 6554/65536 s) and its report reaches us 300 ms after we sent: RTT = 300 - 100.
        _leg.Session.HandleDatagram(Report(lost: 2, lsr, dlsr: 6554), from, now + TimeSpan.FromMilliseconds(300));
        Assert.Equal(300 - (6554 * 1000.0 / 65536), _leg.Session.Quality.RoundTripMs!.Value, 6);
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

    /// <summary>The phone's RR about the stream it receives from us (sequences 5000-5099).</summary>
    private static byte[] Report(int lost, uint lsr, uint dlsr)
    {
        var buffer = new byte[64];
        Assert.True(RtcpWriter.TryWriteReceiverReport(buffer, new Ssrc(0xA0A0A0A0), [new ReportBlock(FarStream, 0, lost, 5099, 8, lsr, dlsr)], out var n));
        return buffer[..n];
    }
}
