namespace Switchboard.Media.Srtp;

/// <summary>Outcome of protecting or unprotecting one packet. Bad input never throws.</summary>
public enum SrtpResult
{
    /// <summary>The packet was protected or unprotected; the new length is valid.</summary>
    Ok = 0,

    /// <summary>The packet is shorter than its header plus the tag (and SRTCP index).</summary>
    TooShort,

    /// <summary>Not RTP/RTCP version 2, or a header (CSRC list, extension) runs past the end.</summary>
    Malformed,

    /// <summary>The caller's buffer has no room for the tag (protect only).</summary>
    BufferTooSmall,

    /// <summary>The authentication tag did not verify; the buffer is left as received.</summary>
    AuthFailed,

    /// <summary>Already received, or older than the replay window (RFC 3711 section 3.3.2).</summary>
    Replayed,

    /// <summary>The 48-bit SRTP or 31-bit SRTCP index is used up; the session must be re-keyed.</summary>
    IndexExhausted,

    /// <summary>A new SSRC arrived while the context already tracks its maximum number of streams.</summary>
    TooManyStreams,
}
