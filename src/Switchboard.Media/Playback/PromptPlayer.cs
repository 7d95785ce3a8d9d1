using Switchboard.Media.Rtp;

namespace Switchboard.Media.Playback;

/// <summary>
/// Plays a <see cref="Prompt"/> as one 20 ms G.711 RTP packet per frame slot, sans-IO: the owner
/// (a leg's loop) asks for the frame due at <c>now</c> and sends it; <see cref="NextFrameAt"/> is
/// its next deadline. The owner's stream supplies the SSRC and sequence numbers (so playback, echo
/// and DTMF share one stream, RFC 3550 section 5.1); the player keeps the RTP timestamp, which advances
/// 160 per frame (8 kHz, RFC 3551 section 4.5.14) and sets the marker on the first packet of each
/// prompt (start of a talkspurt, RFC 3551 section 4.1). A loop that wakes late sends the missed frames
/// at once, up to <see cref="MaxCatchUpFrames"/>; beyond that it skips audio so the prompt stays in
/// real time. No allocation per frame. Not thread-safe: one owner.
/// </summary>
public sealed class PromptPlayer
{
    public const int SamplesPerFrame = 160;

    public const int MaxCatchUpFrames = 10;

    public static readonly TimeSpan FrameInterval = TimeSpan.FromMilliseconds(20);

    private Prompt? _prompt;
    private G711Law _law;
    private PayloadType _payloadType;
    private bool _loop;
    private int _position;
    private uint _timestamp;
    private bool _marker;
    private TimeSpan _nextAt;
    private bool _finished;

    public bool IsPlaying => _prompt is not null;

    /// <summary>When the next frame is due; null when nothing plays.</summary>
    public TimeSpan? NextFrameAt => _prompt is null ? null : _nextAt;

    /// <summary>Frames written since the last <see cref="Start"/>.</summary>
    public long FramesWritten { get; private set; }

    /// <summary>
    /// Starts <paramref name="prompt"/> (replacing any other, which then reports no finish): the first
    /// frame is due at <paramref name="now"/> and carries <paramref name="rtpTimestamp"/>.
    /// </summary>
    public void Start(Prompt prompt, PayloadType payloadType, G711Law law, uint rtpTimestamp, TimeSpan now, bool loop)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        _prompt = prompt;
        _payloadType = payloadType;
        _law = law;
        _loop = loop;
        _position = 0;
        _timestamp = rtpTimestamp;
        _marker = true;
        _nextAt = now;
        _finished = false;
        FramesWritten = 0;
    }

    /// <summary>Stops at once; a stopped prompt does not report <see cref="TryTakeFinished"/>.</summary>
    public void Stop()
    {
        _prompt = null;
        _finished = false;
    }

    /// <summary>True once after the last frame of a prompt that was not looping went out.</summary>
    public bool TryTakeFinished()
    {
        var finished = _finished;
        _finished = false;
        return finished;
    }

    /// <summary>
    /// Writes the frame due at <paramref name="now"/> as a whole RTP packet into
    /// <paramref name="destination"/> with the owner's <paramref name="sequence"/> and
    /// <paramref name="ssrc"/>. False when no frame is due (or the buffer is too small, which is a
    /// bug of the owner). Call again until false: a late owner gets the missed frames.
    /// </summary>
    public bool TryWriteFrame(TimeSpan now, Span<byte> destination, ushort sequence, Ssrc ssrc, out int length)
    {
        length = 0;
        if (_prompt is not { } prompt || now < _nextAt)
        {
            return false;
        }

        var behind = (now - _nextAt).Ticks / FrameInterval.Ticks;
        if (behind >= MaxCatchUpFrames)
        {
            Advance(prompt, (int)Math.Min(behind - MaxCatchUpFrames + 1, int.MaxValue / SamplesPerFrame));
            if (_prompt is null)
            {
                return false;
            }
        }

        var fields = new RtpPacketFields(_payloadType, sequence, _timestamp, ssrc, _marker);
        var payloadAt = RtpHeader.FixedHeaderLength;
        if (destination.Length < payloadAt + SamplesPerFrame ||
            !RtpWriter.TryWrite(destination, fields, ReadOnlySpan<byte>.Empty, out payloadAt))
        {
            return false;
        }

        FillPayload(prompt, destination.Slice(payloadAt, SamplesPerFrame));
        length = payloadAt + SamplesPerFrame;
        _marker = false;
        FramesWritten++;
        Advance(prompt, 1);
        return true;
    }

    /// <summary>Copies the next 160 samples; the tail of a non-looping prompt is padded with silence, a looping one wraps.</summary>
    private void FillPayload(Prompt prompt, Span<byte> payload)
    {
        var encoded = prompt.Encoded(_law);
        var position = _position;
        var written = 0;
        while (written < payload.Length)
        {
            var take = Math.Min(payload.Length - written, encoded.Length - position);
            encoded.Slice(position, take).CopyTo(payload[written..]);
            written += take;
            position += take;
            if (position == encoded.Length)
            {
                if (!_loop)
                {
                    payload[written..].Fill(G711Laws.Silence(_law));
                    return;
                }

                position = 0;
            }
        }
    }

    private void Advance(Prompt prompt, int frames)
    {
        _nextAt += FrameInterval * frames;
        _timestamp = unchecked(_timestamp + (uint)(frames * SamplesPerFrame));
        var next = _position + ((long)frames * SamplesPerFrame);
        if (next < prompt.SampleCount)
        {
            _position = (int)next;
        }
        else if (_loop)
        {
            _position = (int)(next % prompt.SampleCount);
        }
        else
        {
            _prompt = null;
            _finished = true;
        }
    }
}
