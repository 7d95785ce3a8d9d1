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
}
