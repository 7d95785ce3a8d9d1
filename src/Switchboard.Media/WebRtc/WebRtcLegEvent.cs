using Switchboard.Media.Dtmf;

namespace Switchboard.Media.WebRtc;

public enum WebRtcLegEventKind
{
    /// <summary>ICE selected a pair and DTLS completed: SRTP flows both ways.</summary>
    MediaConnected,

    /// <summary>The first SRTP packet left for the browser (media set-up latency ends here).</summary>
    FirstSrtpSent,

    /// <summary>The browser's first authenticated ICE check was answered (a set-up phase mark, docs/call-records.md).</summary>
    FirstIceCheck,

    /// <summary>The browser's first SRTP packet was decrypted (a set-up phase mark).</summary>
    FirstSrtpReceived,

    /// <summary>A complete RFC 4733 key press arrived.</summary>
    Dtmf,

    /// <summary>The browser stopped answering consent checks (RFC 7675), or never connected.</summary>
    ConsentLost,

    /// <summary>The browser closed its peer connection (DTLS close_notify).</summary>
    ClosedByPeer,

    /// <summary>DTLS failed, or the transport broke.</summary>
    TransportFailed,

    /// <summary>The last frame of a prompt started by <c>Play</c> was sent (not raised for a stopped or looping prompt).</summary>
    PromptFinished,

    /// <summary>An RTCP report interval passed (about every 5 s once media flows): <c>WebRtcSession.Quality</c> has fresh figures.</summary>
    QualitySampled,
}

/// <summary>What a leg tells its call. Raised on the leg's own loop; the handler posts it on and returns.</summary>
public readonly record struct WebRtcLegEvent(WebRtcLegEventKind Kind, DtmfDigit Digit = default, string? Detail = null);
