namespace Switchboard.Media.Relay;

/// <summary>What a relayed RTP packet carries, so the receiving leg can map it to its own payload type.</summary>
public enum RelayedPayload
{
    /// <summary>The negotiated voice codec.</summary>
    Audio,

    /// <summary>An RFC 4733 telephone-event packet.</summary>
    TelephoneEvent,
}

/// <summary>
/// A leg that takes plain RTP from the other leg of a call and sends it to its own peer.
/// </summary>
public interface IRtpSink
{
    /// <summary>
    /// Called on the sending leg's thread with one plain (decrypted) RTP packet, at <paramref name="now"/> on
    /// the shard's clock. The sink may modify it in place (payload type, SSRC, sequence, timestamp), must not
    /// block and must not keep the span. It maps the payload type to its own negotiated one for
    /// <paramref name="kind"/>, drops telephone-event packets when its peer did not negotiate
    /// telephone-event, and sends it as its own stream (<see cref="Rtp.RtpStreamRewriter"/>).
    /// </summary>
    void OnRelayedRtp(Span<byte> rtp, RelayedPayload kind, TimeSpan now);
}
