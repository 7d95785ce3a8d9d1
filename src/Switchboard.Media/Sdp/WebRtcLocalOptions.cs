using System.Net;

namespace Switchboard.Media.Sdp;

/// <summary>What our WebRTC description says about us, offer or answer alike: ICE, DTLS, address, stream ids.</summary>
public record WebRtcLocalOptions
{
    /// <summary>Our ICE username fragment (RFC 8839 section 5.4: at least 4 characters).</summary>
    public required string IceUfrag { get; init; }

    /// <summary>Our ICE password (at least 22 characters).</summary>
    public required string IcePwd { get; init; }

    /// <summary>Our certificate fingerprint as "hash value", e.g. "sha-256 AB:CD:...".</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The address advertised in c= and o= (the public address when behind NAT).</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The media port advertised in m=.</summary>
    public required int Port { get; init; }

    /// <summary>
    /// Our candidate lines, with or without the "a=" and "candidate:" prefixes (as the ICE agent's
    /// <c>IceSdp.CandidateLine</c> writes them); "a=end-of-candidates" is accepted and skipped.
    /// </summary>
    public required IReadOnlyList<string> CandidateLines { get; init; }

    public ulong SessionId { get; init; }

    /// <summary>Incremented by the caller for each new description in the same session (RFC 3264 section 8).</summary>
    public ulong SessionVersion { get; init; } = 1;

    /// <summary>What we want; an answer also respects the offer's direction.</summary>
    public SdpDirection Direction { get; init; } = SdpDirection.SendRecv;

    /// <summary>Our sending SSRC and CNAME, written as a=ssrc lines when both are set.</summary>
    public uint? Ssrc { get; init; }

    public string? Cname { get; init; }

    /// <summary>
    /// "stream-id track-id" for a=msid (RFC 8830), so the browser's ontrack event carries a stream;
    /// null leaves it out.
    /// </summary>
    public string? Msid { get; init; }
}
