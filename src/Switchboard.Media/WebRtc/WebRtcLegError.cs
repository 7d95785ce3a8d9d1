namespace Switchboard.Media.WebRtc;

public enum WebRtcLegError
{
    None,

    /// <summary>The offer is not SDP.</summary>
    UnreadableOffer,

    /// <summary>The offer lacks audio, ICE credentials or a fingerprint, or shares no codec with us.</summary>
    UnusableOffer,

    /// <summary>Every port of the media range is in use.</summary>
    NoPort,

    /// <summary>The browser's answer to our offer is not SDP.</summary>
    UnreadableAnswer,

    /// <summary>The answer lacks audio, ICE credentials, a fingerprint or rtcp-mux, or none of our offered codecs.</summary>
    UnusableAnswer,

    /// <summary>
    /// The answer's a=setup is not active: the PBX is only ever the DTLS server, so the browser must
    /// take the client role (RFC 5763 section 5, RFC 8842 section 5.2).
    /// </summary>
    AnswerSetupNotActive,

    /// <summary>An answer was already applied to this offer (a forked INVITE answered twice).</summary>
    AnswerAlreadyApplied,

    /// <summary>A new offer during the call that keeps the ICE credentials: only ICE restarts are taken (RFC 8839 section 4.4.1.1.1).</summary>
    NotAnIceRestart,

    /// <summary>A new offer with another DTLS fingerprint: that would be a new DTLS association, which a call does not change.</summary>
    FingerprintChanged,

    /// <summary>A new offer that drops the codec (or telephone-event payload type) in use: the call keeps its codec.</summary>
    CodecChanged,

    /// <summary>A new offer to a session that made the offer itself (a browser softphone callee): not supported.</summary>
    RestartNotSupported,

    /// <summary>A new offer that changes the ICE credentials where only a change of direction is taken (a SIP re-INVITE).</summary>
    NotADirectionChange,
}
