using Switchboard.Media.Dtmf;

namespace Switchboard.Media.Phone;

public enum RtpLegEventKind
{
    /// <summary>The first valid RTP packet arrived; <see cref="RtpLegEvent.Detail"/> says from where (the latched address).</summary>
    FirstRtpReceived,

    /// <summary>A complete RFC 4733 key press arrived from the phone.</summary>
    Dtmf,

    /// <summary>Media had flowed and then no RTP arrived for <see cref="RtpLeg.MediaTimeout"/>. Raised once per silence.</summary>
    MediaTimeout,

    /// <summary>The last packet of a prompt started by <see cref="RtpLeg.Play"/> was sent (not raised for a stopped or looping prompt).</summary>
    PromptFinished,

    /// <summary>An RTCP report interval passed (about every 5 s once RTP flowed): <c>RtpSession.Quality</c> has fresh figures.</summary>
    QualitySampled,
}

/// <summary>What a phone leg tells its call. Raised on the leg's own loop; the handler posts it on and returns.</summary>
public readonly record struct RtpLegEvent(RtpLegEventKind Kind, DtmfDigit Digit = default, string? Detail = null);
