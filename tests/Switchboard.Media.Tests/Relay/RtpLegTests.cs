using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Dtmf;
using Switchboard.Media.Phone;
using Switchboard.Media.Rtp;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.Relay;

/// <summary>
/// Two <see cref="RtpLeg"/>s relaying between two raw UDP "phones" on 127.0.0.1. The tests that
/// involve timing drive the leg's receive path and timers directly (<c>HandleDatagram</c>, <c>Poll</c>)
/// with the time as an input; the first runs the real receive loops.
/// </summary>
public sealed class RtpLegTests : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    private readonly MediaPortPool _pool = RawPhone.Pool();
    private readonly RawPhone _phoneA = new(0xA0A0A0A0);
    private readonly RawPhone _phoneB = new(0xB0B0B0B0);
    private readonly ConcurrentQueue<RtpLegEvent> _eventsA = new();
    private readonly ConcurrentQueue<RtpLegEvent> _eventsB = new();
    private readonly RtpLeg _legA;
    private readonly RtpLeg _legB;

    public RtpLegTests()
    {
        _legA = RtpLeg.TryCreate(_pool, Shards.TestShard.Shared, NullLogger.Instance, _eventsA.Enqueue) ?? throw new InvalidOperationException("no port");
        _legB = RtpLeg.TryCreate(_pool, Shards.TestShard.Shared, NullLogger.Instance, _eventsB.Enqueue) ?? throw new InvalidOperationException("no port");
    }

    [Fact]
    public async Task Audio_crosses_both_ways_with_each_sides_payload_type()
    {
        // Phone A has PCMU on 0 and telephone-event on 101; phone B uses 97 and 96 for the same.
        _legA.SetRemote(_phoneA.EndPoint, RawPhone.Audio(0, 101));
        _legB.SetRemote(_phoneB.EndPoint, RawPhone.Audio(97, 96));
        Bridge();
        _legA.Start();
        _legB.Start();

        for (var i = 0; i < 5; i++)
        {
            _phoneA.SendTo(_phoneA.AudioPacket(0, fill: 0x11), _legA.LocalPort);
            var atB = await _phoneB.ReceiveAsync();
            Assert.NotNull(atB);
            Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(atB, out var header));
            Assert.Equal(97, header.PayloadType.Value);
            // Relayed as B's leg's own stream (RtpStreamRewriter): one SSRC whichever far leg speaks.
            Assert.Equal(_legB.Session.LocalSsrc, header.Ssrc.Value);
            Assert.Equal(0x11, atB[^1]);

            _phoneB.SendTo(_phoneB.AudioPacket(97, fill: 0x22), _legB.LocalPort);
            var atA = await _phoneA.ReceiveAsync();
            Assert.NotNull(atA);
            Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(atA, out header));
            Assert.Equal(0, header.PayloadType.Value);
            Assert.Equal(0x22, atA[^1]);
        }

        // Each receiving leg saw its phone's first packet once; telephone-event mapping is covered below.
        Assert.Single(_eventsA, e => e.Kind == RtpLegEventKind.FirstRtpReceived);
        Assert.Equal(5, _legA.Counters.PacketsRelayed);
        Assert.Equal(5, _legB.Counters.PacketsSent);
    }

    [Fact]
    public async Task Telephone_events_are_mapped_or_dropped_and_raise_Dtmf_on_the_receiving_leg()
    {
        _legA.SetRemote(_phoneA.EndPoint, RawPhone.Audio(0, 101));
        _legB.SetRemote(_phoneB.EndPoint, RawPhone.Audio(0, null));
        Bridge();
        var now = TimeSpan.FromSeconds(1);

        foreach (var packet in _phoneA.DigitPackets('5', 101))
        {
            _legA.Session.HandleDatagram(packet, Source(_phoneA), now += Tick);
        }

        // Phone B negotiated no telephone-event: nothing reaches it (the call sends SIP INFO instead).
        Assert.Null(await _phoneB.ReceiveAsync(TimeSpan.FromMilliseconds(200)));
        Assert.True(_legB.Counters.PacketsDropped >= 4);
        Assert.Equal('5', Assert.Single(_eventsA, e => e.Kind == RtpLegEventKind.Dtmf).Digit.Symbol);

        // With telephone-event on B (payload type 96), the same key press crosses, mapped.
        _legB.SetRemote(_phoneB.EndPoint, RawPhone.Audio(0, 96));
        foreach (var packet in _phoneA.DigitPackets('#', 101))
        {
            _legA.Session.HandleDatagram(packet, Source(_phoneA), now += Tick);
        }

        var header = await _phoneB.ReceiveRtpAsync();
        Assert.Equal(96, header.PayloadType.Value);
        Assert.True(header.Marker, "the start packet keeps its marker bit");
    }

    [Fact]
    public async Task A_phone_behind_nat_is_latched_to_the_address_its_packets_come_from()
    {
        // Phone A's SDP names a port nothing listens on; it really sends from (and listens on) another.
        using var sdpOnly = new RawPhone(1);
        _legA.SetRemote(sdpOnly.EndPoint, RawPhone.Audio(0, 101));
        _legB.SetRemote(_phoneB.EndPoint, RawPhone.Audio(0, 101));
        Bridge();
        var now = TimeSpan.FromSeconds(1);

        _legA.Session.HandleDatagram(_phoneA.AudioPacket(0), Source(_phoneA), now);
        Assert.Equal(_phoneA.EndPoint, _legA.RemoteEndPoint);
        Assert.Contains(_eventsA, e => e.Kind == RtpLegEventKind.FirstRtpReceived && e.Detail!.Contains(_phoneA.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        await _phoneB.ReceiveRtpAsync();

        _legB.Session.HandleDatagram(_phoneB.AudioPacket(0), Source(_phoneB), now += Tick);
        await _phoneA.ReceiveRtpAsync();
        Assert.Null(await sdpOnly.ReceiveAsync(TimeSpan.FromMilliseconds(100)));

        // Once latched, a third address is refused; a re-INVITE that keeps the SDP address keeps the latch.
        using var intruder = new RawPhone(2);
        var relayed = _legA.Counters.PacketsRelayed;
        _legA.Session.HandleDatagram(intruder.AudioPacket(0), Source(intruder), now += Tick);
        Assert.Equal(relayed, _legA.Counters.PacketsRelayed);
        _legA.SetRemote(sdpOnly.EndPoint, RawPhone.Audio(0, null));
        Assert.Equal(_phoneA.EndPoint, _legA.RemoteEndPoint);
    }

    [Fact]
    public async Task Echo_mode_returns_the_audio_as_our_own_stream()
    {
        _legA.SetRemote(_phoneA.EndPoint, RawPhone.Audio(0, 101));
        _legA.AudioMode = LegAudioMode.Echo;
        _legA.Start();

        _phoneA.SendTo(_phoneA.AudioPacket(0, fill: 0x33), _legA.LocalPort);
        var echo = await _phoneA.ReceiveAsync();

        Assert.NotNull(echo);
        Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(echo, out var header));
        Assert.Equal(new Ssrc(_legA.LocalSsrc), header.Ssrc);
        Assert.Equal(0, header.PayloadType.Value);
        Assert.Equal(0x33, echo[^1]);
    }

    [Fact]
    public async Task SendDtmf_sends_a_valid_rfc4733_key_press_on_the_legs_timing()
    {
        Assert.False(_legA.SendDtmf('1', TimeSpan.FromMilliseconds(100)), "no remote yet, so no telephone-event");
        _legA.SetRemote(_phoneA.EndPoint, RawPhone.Audio(0, 101));
        Assert.False(_legA.SendDtmf('x', TimeSpan.FromMilliseconds(100)));
        Assert.True(_legA.SendDtmf('7', TimeSpan.FromMilliseconds(120)));

        // The leg's loop would call Poll at each deadline it returns; the test plays the loop.
        var now = TimeSpan.FromSeconds(2);
        var deadline = now + TimeSpan.FromSeconds(1);
        while (now < deadline)
        {
            now = _legA.Session.Poll(now);
        }

        var detector = new DtmfDetector();
        var timestamps = new HashSet<uint>();
        int count = DtmfSender.GetPacketCount(TimeSpan.FromMilliseconds(120));
        for (var i = 0; i < count; i++)
        {
            var packet = await _phoneA.ReceiveAsync();
            Assert.NotNull(packet);
            Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(packet, out var header));
            Assert.Equal(101, header.PayloadType.Value);
            Assert.Equal(new Ssrc(_legA.LocalSsrc), header.Ssrc);
            Assert.Equal(i == 0, header.Marker);
            Assert.True(TelephoneEvent.TryRead(header.GetPayload(packet), out var ev));
            Assert.Equal(7, ev.Event);
            Assert.Equal(i >= count - DtmfSender.EndPacketCopies, ev.End);
            timestamps.Add(header.Timestamp);
            detector.Receive(header.Ssrc, header.Timestamp, header.GetPayload(packet), now);
        }

        Assert.Single(timestamps);
        Assert.True(detector.TryRead(out var digit));
        Assert.Equal('7', digit.Symbol);
        Assert.Equal(960, digit.DurationUnits);
    }

    [Fact]
    public void Rtcp_on_the_port_is_counted_and_not_relayed()
    {
        _legA.SetRemote(_phoneA.EndPoint, RawPhone.Audio(0, 101));
        Bridge();

        // An empty receiver report (RFC 3550 section 6.4.2): V=2, RC=0, PT=201, length 1, the sender's SSRC.
        byte[] receiverReport = [0x80, 201, 0, 1, 0xA0, 0xA0, 0xA0, 0xA0];
        _legA.Session.HandleDatagram(receiverReport, Source(_phoneA), TimeSpan.FromSeconds(1));

        Assert.Equal(1, _legA.Counters.RtcpPacketsReceived);
        Assert.Equal(0, _legA.Counters.PacketsRelayed);
        Assert.Equal(0, _legA.Counters.PacketsReceived);
    }

    [Fact]
    public void Silence_after_media_raises_MediaTimeout_once()
    {
        _legA.SetRemote(_phoneA.EndPoint, RawPhone.Audio(0, 101));
        _legA.MediaTimeout = TimeSpan.FromSeconds(10);
        _legA.Session.Poll(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(_eventsA, e => e.Kind == RtpLegEventKind.MediaTimeout);

        _legA.Session.HandleDatagram(_phoneA.AudioPacket(0), Source(_phoneA), TimeSpan.FromSeconds(31));
        Assert.Equal(TimeSpan.FromSeconds(41), _legA.Session.Poll(TimeSpan.FromSeconds(40.5)));
        _legA.Session.Poll(TimeSpan.FromSeconds(41));
        _legA.Session.Poll(TimeSpan.FromSeconds(50));

        Assert.Single(_eventsA, e => e.Kind == RtpLegEventKind.MediaTimeout);
    }

    [Fact]
    public async Task Relaying_allocates_nothing_per_packet()
    {
        _legA.SetRemote(_phoneA.EndPoint, RawPhone.Audio(0, 101));
        _legB.SetRemote(_phoneB.EndPoint, RawPhone.Audio(97, 96));
        Bridge();
        var packets = Enumerable.Range(0, 600).Select(_ => _phoneA.AudioPacket(0)).ToArray();
        var work = new byte[1500];
        var source = Source(_phoneA);
        var now = TimeSpan.FromSeconds(1);

        // Warm-up (JIT, latching, first-use paths), then phone A's packet in, relayed, sent to phone B.
        for (var i = 0; i < 100; i++)
        {
            packets[i].CopyTo(work, 0);
            _legA.Session.HandleDatagram(work.AsSpan(0, packets[i].Length), source, now += Tick);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < packets.Length; i++)
        {
            packets[i].CopyTo(work, 0);
            _legA.Session.HandleDatagram(work.AsSpan(0, packets[i].Length), source, now += Tick);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(600, _legA.Counters.PacketsRelayed);
        Assert.NotNull(await _phoneB.ReceiveAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _legA.DisposeAsync();
        await _legB.DisposeAsync();
        _phoneA.Dispose();
        _phoneB.Dispose();
        _pool.Dispose();
    }

    private static SocketAddress Source(RawPhone phone) => phone.EndPoint.Serialize();

    private void Bridge()
    {
        _legA.RelayTo = _legB;
        _legB.RelayTo = _legA;
        _legA.AudioMode = LegAudioMode.Relay;
        _legB.AudioMode = LegAudioMode.Relay;
    }
}
