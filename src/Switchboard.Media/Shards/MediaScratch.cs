using Switchboard.Media.Dtls;
using Switchboard.Media.Dtmf;
using Switchboard.Media.Ice;
using Switchboard.Media.Playback;
using Switchboard.Media.Rtp;

namespace Switchboard.Media.Shards;

/// <summary>
/// Work buffers that every session of one owner thread shares: a media shard has one, and all its
/// legs run on its thread, one call at a time, so a buffer that a session fills and sends before it
/// returns need not be its own. Each buffer has one use (a relayed packet is protected in
/// <see cref="Relay"/> while <see cref="Send"/> may hold an RTCP report, as in one session), and no
/// use reaches another session's code while its buffer is filled (sends are synchronous, event
/// handlers post and return). A session made without one (tests, tools) gets a private instance.
/// Per leg this saved about 5 KB (docs/benchmarks-media-load.md, "Memory per call").
/// </summary>
public sealed class MediaScratch
{
    /// <summary>Largest datagram a session sends: an SRTP packet, an SRTCP report, a DTLS record.</summary>
    public const int DatagramSize = 1500;

    /// <summary>Our own SRTP packets (echo, prompts) and SRTCP reports, protected here before the send.</summary>
    public byte[] Send { get; } = new byte[DatagramSize];

    /// <summary>Packets relayed from the other leg, rewritten and protected here before the send.</summary>
    public byte[] Relay { get; } = new byte[DatagramSize];

    /// <summary>DTLS records taken from the engine's queue for the send.</summary>
    public byte[] Dtls { get; } = new byte[DtlsLimits.MaxDatagramSize];

    /// <summary>STUN responses to ICE checks.</summary>
    public byte[] Stun { get; } = new byte[IceLiteAgent.MinResponseBufferSize * 2];

    /// <summary>One prompt frame (RTP header and 20 ms of G.711).</summary>
    public byte[] Play { get; } = new byte[RtpHeader.FixedHeaderLength + PromptPlayer.SamplesPerFrame];

    /// <summary>One RFC 4733 telephone-event packet.</summary>
    public byte[] Dtmf { get; } = new byte[RtpHeader.FixedHeaderLength + TelephoneEvent.Length];
}
