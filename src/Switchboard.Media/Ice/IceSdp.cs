using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Switchboard.Media.Stun;

namespace Switchboard.Media.Ice;

/// <summary>Candidate types and their recommended type preferences (RFC 8445 section 5.1.2.2).</summary>
public enum IceCandidateType : byte
{
    Host = 126,
    PeerReflexive = 110,
    ServerReflexive = 100,
    Relayed = 0,
}

/// <summary>One local host candidate of the answer: the address and UDP port of the leg's media socket.</summary>
/// <param name="Address">The address the browser should send to (not 0.0.0.0 or ::).</param>
/// <param name="Port">The UDP port.</param>
/// <param name="LocalPreference">0-65535; 65535 when there is one address (RFC 8445 section 5.1.2.1), otherwise rank IP families and interfaces (RFC 8421).</param>
public readonly record struct IceHostCandidate(IPAddress Address, int Port, int LocalPreference = 65535);

/// <summary>
/// The ICE lines of an SDP answer from an ICE-lite agent (RFC 8839 sections 5.1, 5.3, 5.4), as plain
/// strings without line endings. <c>a=ice-lite</c> is session-level; the rest belong to the media section
/// (or, for ufrag and password, the session level too).
/// </summary>
public static class IceSdp
{
    /// <summary>Session-level marker of a lite implementation (RFC 8839 section 5.3).</summary>
    public const string IceLiteLine = "a=ice-lite";

    /// <summary>All candidates are in the answer; nothing will trickle (RFC 8840 section 8.2).</summary>
    public const string EndOfCandidatesLine = "a=end-of-candidates";

    /// <summary>Component id of RTP (and of RTCP under rtcp-mux, which WebRTC always uses).</summary>
    public const int RtpComponentId = 1;

    public static string UfragLine(IceCredentials local)
    {
        ArgumentNullException.ThrowIfNull(local);
        return "a=ice-ufrag:" + local.Ufrag;
    }

    public static string PasswordLine(IceCredentials local)
    {
        ArgumentNullException.ThrowIfNull(local);
        return "a=ice-pwd:" + local.Password;
    }

    /// <summary>
    /// <c>a=candidate:&lt;foundation&gt; 1 udp &lt;priority&gt; &lt;address&gt; &lt;port&gt; typ host</c> (RFC 8839 section 5.1).
    /// The foundation is derived from the address alone, so candidates on the same address share one
    /// (RFC 8445 section 5.1.1.3) and the answer is the same every time for the same sockets.
    /// </summary>
    public static string CandidateLine(IceHostCandidate candidate, int componentId = RtpComponentId)
    {
        ArgumentNullException.ThrowIfNull(candidate.Address);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidate.Port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(candidate.Port, ushort.MaxValue);
        if (candidate.Address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException("A candidate address is IPv4 or IPv6.", nameof(candidate));
        }

        if (candidate.Address.Equals(IPAddress.Any) || candidate.Address.Equals(IPAddress.IPv6Any))
        {
            throw new ArgumentException("A wildcard address is where the socket listens, not where the browser can send.", nameof(candidate));
        }

        // IPv4-mapped addresses are written as IPv4; the scope id is not part of an SDP address.
        TransportAddress address = TransportAddress.Create(candidate.Address, candidate.Port);
        uint priority = ComputePriority(IceCandidateType.Host, candidate.LocalPreference, componentId);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"a=candidate:{Foundation(address)} {componentId} udp {priority} {address.ToIPAddress()} {candidate.Port} typ host");
    }

    /// <summary>
    /// Media-level lines in order: ufrag, password, one candidate per host address, end-of-candidates.
    /// Put <see cref="IceLiteLine"/> at session level next to them.
    /// </summary>
    public static IReadOnlyList<string> MediaLines(IceCredentials local, IEnumerable<IceHostCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var lines = new List<string> { UfragLine(local), PasswordLine(local) };
        foreach (IceHostCandidate candidate in candidates)
        {
            lines.Add(CandidateLine(candidate));
        }

        lines.Add(EndOfCandidatesLine);
        return lines;
    }

    /// <summary>
    /// RFC 8445 section 5.1.2.1: priority = 2^24 * type preference + 2^8 * local preference + (256 - component id).
    /// </summary>
    public static uint ComputePriority(IceCandidateType type, int localPreference, int componentId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(localPreference);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(localPreference, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(componentId, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(componentId, 256);
        return ((uint)type << 24) + ((uint)localPreference << 8) + (uint)(256 - componentId);
    }

    private static string Foundation(TransportAddress address)
    {
        // Same type, base address and transport -> same foundation; the CRC keeps it short and stable.
        Span<byte> input = stackalloc byte[24];
        int n = address.WriteAddressBytes(input);
        "hostudp"u8.CopyTo(input[n..]);
        uint crc = StunCrc32.Compute(input[..(n + 7)]);
        return crc.ToString(CultureInfo.InvariantCulture);
    }
}
