using Switchboard.Media.Codecs;
using Switchboard.Media.Playback;
using Switchboard.Media.Rtp;
using Switchboard.Media.Tests.WebRtc;
using Switchboard.Media.WebRtc;

namespace Switchboard.Media.Tests.Playback;

/// <summary>A prompt played by the WebRTC session to an in-memory browser, SRTP-protected, on the test clock.</summary>
public sealed class WebRtcPlaybackTests
{
    [Fact]
    public async Task A_prompt_arrives_protected_in_our_stream_while_digits_are_still_detected()
    {
        await using var call = await InMemoryCall.StartAsync(seed: 21, loss: 0);
        await call.ConnectAsync();
        call.Server.AudioMode = LegAudioMode.Listen;
        while (call.ReceivedRtp.TryDequeue(out _))
        {
        }

        var samples = PromptPlayerTests.Ramp(4000);
        Assert.True(call.Server.Play(Prompt.FromPcm("half a second", samples), call.Now));
        Assert.True(call.Server.IsPlaying);
        call.Run(TimeSpan.FromMilliseconds(100));
        call.SendDigit('4', TimeSpan.FromMilliseconds(100));
        call.Run(TimeSpan.FromMilliseconds(600));

        Assert.Contains(call.Events, e => e.Kind == WebRtcLegEventKind.Dtmf && e.Digit.Symbol == '4');
        Assert.Contains(call.Events, e => e.Kind == WebRtcLegEventKind.PromptFinished);
        Assert.False(call.Server.IsPlaying);

        var packets = call.ReceivedRtp.Select(p =>
        {
            Assert.Equal(RtpParseStatus.Ok, RtpHeader.TryParse(p, out var header));
            return (Header: header, Payload: header.GetPayload(p).ToArray());
        }).OrderBy(p => p.Header.Timestamp).ToList();
        Assert.Equal(25, packets.Count);
        Assert.Single(packets, p => p.Header.Marker);
        var expected = new byte[160];
        for (var i = 0; i < packets.Count; i++)
        {
            Assert.Equal(call.Server.LocalSsrc, packets[i].Header.Ssrc.Value);
            Assert.Equal(packets[0].Header.Timestamp + (uint)(160 * i), packets[i].Header.Timestamp);
            Pcmu.Encode(samples.AsSpan(160 * i, 160), expected);
            Assert.Equal(expected, packets[i].Payload);
        }
    }

    [Fact]
    public async Task Stop_ends_the_prompt_without_PromptFinished()
    {
        await using var call = await InMemoryCall.StartAsync(seed: 22, loss: 0);
        await call.ConnectAsync();
        Assert.True(call.Server.Play(Prompt.FromPcm("loop", PromptPlayerTests.Ramp(800)), call.Now, loop: true));
        call.Run(TimeSpan.FromMilliseconds(100));
        call.Server.StopPlayback();
        call.Run(TimeSpan.FromMilliseconds(100));
        Assert.False(call.Server.IsPlaying);
        Assert.DoesNotContain(call.Events, e => e.Kind == WebRtcLegEventKind.PromptFinished);
    }
}
