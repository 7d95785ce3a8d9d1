using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Codecs;
using Switchboard.Media.Phone;
using Switchboard.Media.Playback;
using Switchboard.Media.Rtp;
using Switchboard.Media.Sdp;
using Switchboard.Media.Tests.Relay;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.Playback;

/// <summary>An <see cref="RtpLeg"/> playing a prompt to a raw UDP phone on 127.0.0.1, its real loop pacing the frames.</summary>
public sealed class RtpLegPlaybackTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);
    private readonly MediaPortPool _pool = RawPhone.Pool();
    private readonly RawPhone _phone = new(0xC0C0C0C0);
    private readonly ConcurrentQueue<RtpLegEvent> _events = new();
    private readonly RtpLeg _leg;

    public RtpLegPlaybackTests() =>
        _leg = RtpLeg.TryCreate(_pool, Shards.TestShard.Shared, NullLogger.Instance, _events.Enqueue) ?? throw new InvalidOperationException("no port");

    [Fact]
    public async Task Driven_by_its_timers_a_one_second_prompt_is_50_packets_in_our_stream_then_PromptFinished()
    {
        // The leg's loop is not started: the test is the loop, calling Poll at each deadline.
        var samples = PromptPlayerTests.Ramp(8000);
        _leg.SetRemote(_phone.EndPoint, RawPhone.Audio(0, 101));
        Assert.True(_leg.Play(Prompt.FromPcm("ramp", samples)));
        var now = TimeSpan.FromSeconds(10);
        for (var i = 0; i < 50; i++)
        {
            var next = _leg.Session.Poll(now);
            if (i < 49)
            {
                Assert.Equal(now + PromptPlayer.FrameInterval, next);
            }
            now += PromptPlayer.FrameInterval;
        }

        Assert.Single(_events, e => e.Kind == RtpLegEventKind.PromptFinished);
        Assert.False(_leg.IsPlaying);
        var packets = new List<byte[]>();
        for (var i = 0; i < 50; i++)
        {
            packets.Add(await _phone.ReceiveAsync() ?? throw new InvalidOperationException("packet " + i + " missing"));
        }

        var expected = new byte[160];
        RtpHeader.TryParse(packets[0], out var first);
        for (var i = 0; i < packets.Count; i++)
        {
            Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(packets[i], out var header));
            Assert.Equal(0, header.PayloadType.Value);
            Assert.Equal(new Ssrc(_leg.LocalSsrc), header.Ssrc);
            Assert.Equal(i == 0, header.Marker);
            Assert.Equal((ushort)(first.SequenceNumber + i), header.SequenceNumber);
            Assert.Equal(unchecked(first.Timestamp + (uint)(160 * i)), header.Timestamp);
            Pcmu.Encode(samples.AsSpan(160 * i, 160), expected);
            Assert.Equal(expected, header.GetPayload(packets[i]).ToArray());
        }
    }

    [Fact]
    public void Sending_a_frame_from_the_legs_timer_allocates_nothing()
    {
        _leg.SetRemote(_phone.EndPoint, RawPhone.Audio(8, 101));
        Assert.True(_leg.Play(Prompt.FromPcm("loop", PromptPlayerTests.Ramp(800)), loop: true));
        var now = TimeSpan.FromSeconds(10);
        for (var i = 0; i < 20; i++)
        {
            _leg.Session.Poll(now += PromptPlayer.FrameInterval);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            _leg.Session.Poll(now += PromptPlayer.FrameInterval);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(_leg.Counters.PacketsSent >= 220);
    }

    [Fact]
    public void Driven_by_its_timers_a_digit_arriving_while_playing_is_detected()
    {
        _leg.SetRemote(_phone.EndPoint, RawPhone.Audio(0, 101));
        Assert.True(_leg.Play(Prompt.FromPcm("ramp", PromptPlayerTests.Ramp(8000))));
        var now = TimeSpan.FromSeconds(10);
        _leg.Session.Poll(now);
        foreach (var packet in _phone.DigitPackets('#', 101))
        {
            now += PromptPlayer.FrameInterval;
            _leg.Session.HandleDatagram(packet, _phone.EndPoint.Serialize(), now);
            _leg.Session.Poll(now);
        }

        Assert.Contains(_events, e => e.Kind == RtpLegEventKind.Dtmf && e.Digit.Symbol == '#');
        Assert.True(_leg.IsPlaying);
    }

    [Fact]
    public async Task The_real_loop_paces_a_one_second_prompt_which_arrives_as_about_50_packets_in_our_stream_then_PromptFinished()
    {
        var samples = PromptPlayerTests.Ramp(8000);
        _leg.SetRemote(_phone.EndPoint, RawPhone.Audio(0, 101));
        _leg.Start();
        var clock = Stopwatch.StartNew();
        Assert.True(_leg.Play(Prompt.FromPcm("ramp", samples)));

        var packets = new List<byte[]>();
        while (!_events.Any(e => e.Kind == RtpLegEventKind.PromptFinished) && await _phone.ReceiveAsync(TimeSpan.FromSeconds(3)) is { } packet)
        {
            packets.Add(packet);
        }

        // The last frames go out just before the event: take what is still in the socket.
        while (await _phone.ReceiveAsync(TimeSpan.FromMilliseconds(200)) is { } late)
        {
            packets.Add(late);
        }

        // The last of 50 frames is due 980 ms after the first: never faster than real time. A loaded
        // machine may stall the loop beyond the player's catch-up, which then skips frames to stay
        // in real time (seen here with 19 runnable threads on 2 cores); so: at most 50, each carrying
        // the audio of its timestamp. The exact count is the timer-driven test's.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), "faster than real time: " + clock.Elapsed);
        Assert.InRange(packets.Count, 1, 50);
        Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(packets[0], out var first));
        Assert.True(first.Marker);
        var expected = new byte[160];
        for (var i = 0; i < packets.Count; i++)
        {
            Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(packets[i], out var header));
            Assert.Equal(0, header.PayloadType.Value);
            Assert.Equal(new Ssrc(_leg.LocalSsrc), header.Ssrc);
            Assert.Equal((ushort)(first.SequenceNumber + i), header.SequenceNumber);
            var frame = (int)unchecked(header.Timestamp - first.Timestamp);
            Assert.Equal(0, frame % 160);
            Pcmu.Encode(samples.AsSpan(frame, 160), expected);
            Assert.Equal(expected, header.GetPayload(packets[i]).ToArray());
        }

        await WaitForAsync(() => _events.Any(e => e.Kind == RtpLegEventKind.PromptFinished));
        Assert.False(_leg.IsPlaying);
    }

    [Fact]
    public async Task A_digit_sent_while_playing_is_detected_and_stop_ends_the_prompt_without_finishing()
    {
        _leg.SetRemote(_phone.EndPoint, RawPhone.Audio(8, 101));
        _leg.Start();
        Assert.True(_leg.Play(Prompt.FromPcm("ramp", PromptPlayerTests.Ramp(800)), loop: true));
        Assert.NotNull(await _phone.ReceiveAsync());

        foreach (var packet in _phone.DigitPackets('7', 101))
        {
            _phone.SendTo(packet, _leg.LocalPort);
        }

        await WaitForAsync(() => _events.Any(e => e.Kind == RtpLegEventKind.Dtmf));
        Assert.Equal('7', _events.First(e => e.Kind == RtpLegEventKind.Dtmf).Digit.Symbol);
        Assert.True(_leg.IsPlaying);

        _leg.StopPlayback();
        await WaitForAsync(() => !_leg.IsPlaying);
        Assert.DoesNotContain(_events, e => e.Kind == RtpLegEventKind.PromptFinished);
    }

    [Fact]
    public void Play_is_refused_without_a_G711_codec()
    {
        Assert.False(_leg.Play(Prompt.FromPcm("x", [0])));
        _leg.SetRemote(_phone.EndPoint, new(null, new(111, SdpCodec.Opus), null, SdpDirection.SendRecv, null, 0, null, null, [], 20));
        Assert.False(_leg.Play(Prompt.FromPcm("x", [0])));
    }

    public async ValueTask DisposeAsync()
    {
        await _leg.DisposeAsync();
        _phone.Dispose();
        _pool.Dispose();
    }

    /// <summary>Waits a bounded time for the real loop to get there.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Bound, "timed out");
            await Task.Delay(10);
        }
    }
}
