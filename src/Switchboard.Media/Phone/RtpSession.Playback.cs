using Switchboard.Media.Playback;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Phone;

public sealed partial class RtpSession
{
    private readonly PromptPlayer _player = new();
    private PlayRequest? _playRequest;
    private volatile bool _playing;

    /// <summary>True from <see cref="Play"/> until the prompt finished or was stopped.</summary>
    public bool IsPlaying => _playing || Volatile.Read(ref _playRequest) is { Prompt: not null };

    /// <summary>
    /// Plays <paramref name="prompt"/> to the phone in our own stream (<see cref="LocalSsrc"/>), one
    /// 20 ms packet per frame sent from the leg's loop, in the negotiated G.711 law; replaces a prompt
    /// that is playing. When it ends (not when looping) <see cref="RtpLegEventKind.PromptFinished"/>
    /// is raised. Digits from the phone are still detected. While a prompt plays, Echo mode echoes
    /// nothing. False when no G.711 codec was negotiated (SetRemote first). Thread-safe.
    /// </summary>
    public bool Play(Prompt prompt, bool loop = false)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (_remote is not { } remote || !G711Laws.TryFromCodec(remote.Audio.Codec.Codec, out _))
        {
            return false;
        }

        Volatile.Write(ref _playRequest, new PlayRequest(prompt, loop));
        Wake();
        return true;
    }

    /// <summary>Stops a playing prompt (barge-in); no <see cref="RtpLegEventKind.PromptFinished"/> follows. Thread-safe.</summary>
    public void StopPlayback()
    {
        Volatile.Write(ref _playRequest, PlayRequest.Stop);
        Wake();
    }

    /// <summary>Takes up a play or stop request, sends the frames that are due; returns when the next one is.</summary>
    private TimeSpan? PollPlayback(TimeSpan now)
    {
        // A plain read first: this runs after every packet, and an exchange is a locked instruction.
        if (Volatile.Read(ref _playRequest) is not null && Interlocked.Exchange(ref _playRequest, null) is { } request)
        {
            StartOrStop(request, now);
        }

        var play = _scratch.Play;
        while (_player.TryWriteFrame(now, play, sequence: 0, new Ssrc(LocalSsrc), out var length))
        {
            if (_remote?.SendTo is { } phone)
            {
                SendToPhone(play.AsSpan(0, length), phone, now);
            }
            else
            {
                _packetsDropped++;
            }
        }

        _playing = _player.IsPlaying;
        if (_player.TryTakeFinished())
        {
            Raise(new RtpLegEvent(RtpLegEventKind.PromptFinished));
        }

        return _player.NextFrameAt;
    }

    private void StartOrStop(PlayRequest request, TimeSpan now)
    {
        if (request.Prompt is { } prompt && _remote?.Audio.Codec is { } codec && G711Laws.TryFromCodec(codec.Codec, out var law))
        {
            _player.Start(prompt, new PayloadType((byte)codec.PayloadType), law, StreamTimestamp(now, codec.Codec.ClockRate), now, request.Loop);
        }
        else
        {
            _player.Stop();
        }
    }

    /// <summary>A prompt to start, or (no prompt) a stop; handed from any thread to the loop in one reference.</summary>
    private sealed record PlayRequest(Prompt? Prompt, bool Loop)
    {
        public static readonly PlayRequest Stop = new(null, false);
    }
}
