using Switchboard.Media.Phone;
using Switchboard.Media.Relay;
using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// One side's media in a call, whatever carries it: a browser's WebRTC leg (SRTP) or a phone's plain RTP leg.
/// The call bridges two ends by pointing each one's relay at the other (docs/media.md, "Relay to SIP phones").
/// </summary>
internal abstract class MediaEnd : IAsyncDisposable
{
    /// <summary>What this end agreed with its peer: codec and telephone-event.</summary>
    public abstract SdpNegotiatedAudio Audio { get; }

    public bool HasTelephoneEvent => Audio.TelephoneEvent is not null;

    /// <summary>This leg's RTCP figures now (docs/media.md, "Call quality"); read on the call's shard, which owns the leg.</summary>
    public abstract Switchboard.Media.Rtcp.LegQuality Quality { get; }

    /// <summary>Sends what this end receives to <paramref name="other"/>, from now on.</summary>
    public abstract void RelayTo(MediaEnd other);

    /// <summary>What this end does with its audio when not relaying: a service listens, or echoes.</summary>
    public abstract void SetMode(LegAudioMode mode);

    /// <summary>Plays a prompt as this end's own stream (G.711 only); false when it cannot.</summary>
    public abstract bool Play(Switchboard.Media.Playback.Prompt prompt, bool loop = false);

    public abstract void StopPlayback();

    /// <summary>Plays a digit that arrived out of band (SIP INFO) as RFC 4733 events, where this end has telephone-event.</summary>
    public abstract bool TrySendDigit(char digit, TimeSpan duration);

    public abstract ValueTask DisposeAsync();

    internal abstract IRtpSink Sink { get; }
}

/// <summary>A browser's end: SRTP after ICE and DTLS.</summary>
internal sealed class WebRtcEnd(WebRtcLeg leg) : MediaEnd
{
    public WebRtcLeg Leg { get; } = leg;

    public override SdpNegotiatedAudio Audio => Leg.Audio;

    public override Switchboard.Media.Rtcp.LegQuality Quality => Leg.Session.Quality;

    internal override IRtpSink Sink => Leg;

    public override void RelayTo(MediaEnd other)
    {
        Leg.RelayTo = other.Sink;
        Leg.AudioMode = LegAudioMode.Relay;
    }

    public override void SetMode(LegAudioMode mode) => Leg.AudioMode = mode;

    public override bool Play(Switchboard.Media.Playback.Prompt prompt, bool loop = false) => Leg.Play(prompt, loop);

    public override void StopPlayback() => Leg.StopPlayback();

    // The browser hears phones' INFO digits as nothing: WebRTC legs do not generate RFC 4733 yet (noted in docs/media.md).
    public override bool TrySendDigit(char digit, TimeSpan duration) => false;

    public override ValueTask DisposeAsync() => Leg.DisposeAsync();

    /// <summary>What crossed the leg, for the log line at the call's end: a one-way silence shows which side went quiet.</summary>
    public override string ToString()
    {
        var c = Leg.Session.Counters;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"audio in {c.AudioPacketsReceived} out {c.AudioPacketsSent}, relayed in {Leg.Session.RelayedPacketsIn}, srtp failures {c.SrtpFailures}, dropped {c.DroppedDatagrams}");
    }
}

/// <summary>A phone's end: plain RTP, symmetric.</summary>
internal sealed class PhoneEnd(RtpLeg leg, SdpNegotiatedAudio audio) : MediaEnd
{
    private SdpNegotiatedAudio _audio = audio;

    public RtpLeg Leg { get; } = leg;

    public override SdpNegotiatedAudio Audio => _audio;

    public override Switchboard.Media.Rtcp.LegQuality Quality => Leg.Session.Quality;

    internal override IRtpSink Sink => Leg;

    /// <summary>The phone's SDP told us (again) where it wants media and what it agreed.</summary>
    public void Update(System.Net.IPEndPoint remote, SdpNegotiatedAudio audio)
    {
        _audio = audio;
        Leg.SetRemote(remote, audio);
    }

    public override void RelayTo(MediaEnd other)
    {
        Leg.RelayTo = other.Sink;
        Leg.AudioMode = LegAudioMode.Relay;
    }

    public override void SetMode(LegAudioMode mode) => Leg.AudioMode = mode;

    public override bool Play(Switchboard.Media.Playback.Prompt prompt, bool loop = false) => Leg.Play(prompt, loop);

    public override void StopPlayback() => Leg.StopPlayback();

    public override bool TrySendDigit(char digit, TimeSpan duration) => Leg.SendDtmf(digit, duration);

    public override ValueTask DisposeAsync() => Leg.DisposeAsync();
}
