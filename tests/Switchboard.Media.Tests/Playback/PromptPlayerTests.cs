using Switchboard.Media.Codecs;
using Switchboard.Media.Playback;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Tests.Playback;

public sealed class PromptPlayerTests
{
    private static readonly TimeSpan Frame = PromptPlayer.FrameInterval;
    private static readonly Ssrc OurSsrc = new(0x12345678);
    private readonly byte[] _buffer = new byte[1500];

    /// <summary>A ramp so every frame's payload differs and encoding can be checked sample by sample.</summary>
    internal static short[] Ramp(int count)
    {
        var samples = new short[count];
        for (var i = 0; i < count; i++)
        {
            samples[i] = (short)((i * 97 % 16000) - 8000);
        }

        return samples;
    }

    [Theory]
    [InlineData(G711Law.MuLaw, 0)]
    [InlineData(G711Law.ALaw, 8)]
    public void Frames_carry_160_encoded_samples_every_20_ms_with_timestamps_advancing_by_160(G711Law law, byte payloadType)
    {
        var samples = Ramp(480);
        var player = new PromptPlayer();
        var start = TimeSpan.FromSeconds(3);
        player.Start(Prompt.FromPcm("ramp", samples), new PayloadType(payloadType), law, rtpTimestamp: 1000, start, loop: false);

        for (var i = 0; i < 3; i++)
        {
            var now = start + (Frame * i);
            Assert.Equal(now, player.NextFrameAt);
            Assert.True(player.TryWriteFrame(now, _buffer, (ushort)(50 + i), OurSsrc, out var length));
            Assert.False(player.TryWriteFrame(now, _buffer, 0, OurSsrc, out _));
            Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(_buffer.AsSpan(0, length), out var header));
            Assert.Equal(payloadType, header.PayloadType.Value);
            Assert.Equal((uint)(1000 + (160 * i)), header.Timestamp);
            Assert.Equal((ushort)(50 + i), header.SequenceNumber);
            Assert.Equal(OurSsrc, header.Ssrc);
            Assert.Equal(i == 0, header.Marker);

            var expected = new byte[160];
            if (law == G711Law.MuLaw)
            {
                Pcmu.Encode(samples.AsSpan(160 * i, 160), expected);
            }
            else
            {
                Pcma.Encode(samples.AsSpan(160 * i, 160), expected);
            }

            Assert.Equal(expected, header.GetPayload(_buffer.AsSpan(0, length)).ToArray());
        }

        Assert.True(player.TryTakeFinished());
        Assert.False(player.TryTakeFinished());
        Assert.False(player.IsPlaying);
        Assert.Null(player.NextFrameAt);
    }

    [Fact]
    public void The_last_partial_frame_is_padded_with_silence_and_then_finished()
    {
        var player = new PromptPlayer();
        player.Start(Prompt.FromPcm("short", Ramp(200)), PayloadType.Pcmu, G711Law.MuLaw, 0, TimeSpan.Zero, loop: false);
        Assert.True(player.TryWriteFrame(TimeSpan.Zero, _buffer, 1, OurSsrc, out _));
        Assert.False(player.TryTakeFinished());
        Assert.True(player.TryWriteFrame(Frame, _buffer, 2, OurSsrc, out var length));
        var payload = _buffer.AsSpan(length - 160, 160);
        Assert.All(payload[40..].ToArray(), code => Assert.Equal(Pcmu.Encode(0), code));
        Assert.True(player.TryTakeFinished());
    }

    [Fact]
    public void A_looping_prompt_wraps_and_never_finishes_until_stopped()
    {
        var samples = Ramp(240);
        var player = new PromptPlayer();
        player.Start(Prompt.FromPcm("loop", samples), PayloadType.Pcmu, G711Law.MuLaw, 0, TimeSpan.Zero, loop: true);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(player.TryWriteFrame(Frame * i, _buffer, (ushort)i, OurSsrc, out var length));
            var first = _buffer[length - 160];
            Assert.Equal(Pcmu.Encode(samples[160 * i % 240]), first);
        }

        Assert.False(player.TryTakeFinished());
        player.Stop();
        Assert.False(player.IsPlaying);
        Assert.False(player.TryWriteFrame(Frame * 10, _buffer, 0, OurSsrc, out _));
        Assert.False(player.TryTakeFinished());
    }

    [Fact]
    public void A_late_owner_gets_a_few_missed_frames_and_skips_the_rest_in_real_time()
    {
        var player = new PromptPlayer();
        player.Start(Prompt.FromPcm("long", Ramp(8000)), PayloadType.Pcmu, G711Law.MuLaw, 0, TimeSpan.Zero, loop: false);
        Assert.True(player.TryWriteFrame(TimeSpan.Zero, _buffer, 0, OurSsrc, out _));

        // 30 frames late: the player skips to MaxCatchUpFrames behind and sends those.
        var now = Frame * 31;
        var sent = 0;
        uint lastTimestamp = 0;
        while (player.TryWriteFrame(now, _buffer, 0, OurSsrc, out var length))
        {
            Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(_buffer.AsSpan(0, length), out var header));
            lastTimestamp = header.Timestamp;
            sent++;
        }

        Assert.Equal(PromptPlayer.MaxCatchUpFrames, sent);
        Assert.Equal(31u * 160, lastTimestamp);
        Assert.Equal(now + Frame, player.NextFrameAt);
    }

    [Fact]
    public void Writing_a_frame_allocates_nothing()
    {
        var player = new PromptPlayer();
        player.Start(Prompt.FromPcm("loop", Ramp(1000)), PayloadType.Pcma, G711Law.ALaw, 0, TimeSpan.Zero, loop: true);
        for (var i = 0; i < 10; i++)
        {
            player.TryWriteFrame(Frame * i, _buffer, (ushort)i, OurSsrc, out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 10; i < 1010; i++)
        {
            player.TryWriteFrame(Frame * i, _buffer, (ushort)i, OurSsrc, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
