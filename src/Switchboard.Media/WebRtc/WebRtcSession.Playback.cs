using System.Security.Cryptography;
using Switchboard.Media.Playback;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.WebRtc;

public sealed partial class WebRtcSession
{
    private readonly PromptPlayer _player = new();
    private readonly uint _playTimestampBase = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);

    /// <summary>True when a prompt could play: G.711 was negotiated. Any thread (the codec does not change once agreed).</summary>
    public bool CanPlay => _audio is { } audio && G711Laws.TryFromCodec(audio.Codec.Codec, out _);

    /// <summary>True while a prompt plays.</summary>
    public bool IsPlaying => _player.IsPlaying;

    /// <summary>
    /// Plays <paramref name="prompt"/> to the browser from <paramref name="now"/> as our own stream,
    /// SRTP-protected like relayed audio, one 20 ms frame per <see cref="Poll"/> deadline. Only G.711
    /// (PCMU or PCMA, as negotiated): false for Opus, which the engine does not negotiate for
    /// services (prompts would need an Opus encoder). Frames due before SRTP is up are skipped, so
    /// play once <see cref="WebRtcLegEventKind.MediaConnected"/> was raised. While a prompt plays,
    /// Echo mode echoes nothing; digits are still detected. Not thread-safe (see <see cref="SendRelayedRtp"/>).
    /// </summary>
    public bool Play(Prompt prompt, TimeSpan now, bool loop = false)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (_audio is not { } audio || !G711Laws.TryFromCodec(audio.Codec.Codec, out var law))
        {
            return false;
        }

        var timestamp = unchecked(_playTimestampBase + (uint)(now.Ticks * audio.Codec.Codec.ClockRate / TimeSpan.TicksPerSecond));
        _player.Start(prompt, new PayloadType((byte)audio.Codec.PayloadType), law, timestamp, now, loop);
        return true;
    }

    /// <summary>Stops a playing prompt; no <see cref="WebRtcLegEventKind.PromptFinished"/> follows.</summary>
    public void StopPlayback() => _player.Stop();

    /// <summary>Sends the frames that are due (our SSRC and sequence are set by <see cref="SendOwnRtp"/>); returns the earlier deadline.</summary>
    private TimeSpan PollPlayback(TimeSpan now, TimeSpan next)
    {
        var play = _scratch.Play;
        while (_player.TryWriteFrame(now, play, sequence: 0, new Ssrc(LocalSsrc), out var length))
        {
            var frame = play.AsSpan(0, length);
            if (RtpHeader.TryParse(frame, out var header) == RtpParseStatus.Ok)
            {
                SendOwnRtp(frame, header, _scratch.Send);
            }
        }

        if (_player.TryTakeFinished())
        {
            Raise(new WebRtcLegEvent(WebRtcLegEventKind.PromptFinished));
        }

        return _player.NextFrameAt is { } due && due < next ? due : next;
    }
}
