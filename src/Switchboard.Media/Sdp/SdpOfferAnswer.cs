using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Media.Sdp;

/// <summary>Why an offer cannot be answered. Every value maps to SIP 488 Not Acceptable Here.</summary>
public enum SdpOfferError
{
    None = 0,
    /// <summary>No m=audio section with a non-zero port (or bundle-only).</summary>
    NoAudioSection,
    /// <summary>The audio section's transport protocol is not one we speak on this leg.</summary>
    UnsupportedProtocol,
    /// <summary>WebRTC: no a=fingerprint at media or session level (RFC 8122, RFC 8827).</summary>
    NoFingerprint,
    /// <summary>WebRTC: no a=ice-ufrag / a=ice-pwd (RFC 8839 section 5.4).</summary>
    NoIceCredentials,
    /// <summary>WebRTC: a=setup is missing or leaves us no passive role (we are the DTLS server).</summary>
    UnsupportedSetup,
    /// <summary>WebRTC: no a=rtcp-mux; we use one port per leg (RFC 5761, RFC 8834 section 4.5).</summary>
    NoRtcpMux,
    /// <summary>None of our codecs is in the offer.</summary>
    NoSharedCodec,
}

/// <summary>What an answer agreed for the audio stream, for the media relay to use.</summary>
/// <param name="Mid">The audio section's mid, if any.</param>
/// <param name="Codec">The one voice codec, with the offer's payload type.</param>
/// <param name="TelephoneEvent">telephone-event at the codec's clock rate, with the offer's payload type, or null.</param>
/// <param name="Direction">The direction in our answer.</param>
/// <param name="RemoteConnection">The offer's c= for the audio section (not used for ICE legs).</param>
/// <param name="RemotePort">The offer's audio port.</param>
/// <param name="RemoteIceUfrag">The offerer's ICE username fragment (WebRTC).</param>
/// <param name="RemoteIcePwd">The offerer's ICE password (WebRTC).</param>
/// <param name="RemoteFingerprints">The offerer's certificate fingerprints (WebRTC).</param>
/// <param name="RemotePtime">The offer's a=ptime, if any.</param>
public sealed record SdpNegotiatedAudio(
    string? Mid,
    SdpPayloadFormat Codec,
    SdpPayloadFormat? TelephoneEvent,
    SdpDirection Direction,
    SdpConnection? RemoteConnection,
    int RemotePort,
    string? RemoteIceUfrag,
    string? RemoteIcePwd,
    IReadOnlyList<SdpFingerprint> RemoteFingerprints,
    int? RemotePtime)
{
    /// <summary>RTCP shares the RTP port both ways (RFC 5761 section 5.1.1: offered and kept in the answer). SIP legs only.</summary>
    public bool RtcpMux { get; init; }

    /// <summary>The peer's RTCP port from its a=rtcp (RFC 3605), null without one. SIP legs only.</summary>
    public int? RemoteRtcpPort { get; init; }

    /// <summary>The port of an a=rtcp value (<c>port [nettype addrtype address]</c>, RFC 3605 section 2.1), or null.</summary>
    public static int? ParseRtcpPort(string? rtcpAttribute)
    {
        var text = rtcpAttribute.AsSpan().Trim();
        var space = text.IndexOf(' ');
        return int.TryParse(space < 0 ? text : text[..space], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : null;
    }
}

/// <summary>An answer: the description to send and what it agreed.</summary>
public sealed record SdpAnswer(SdpSessionDescription Description, SdpNegotiatedAudio Audio)
{
    public string ToText() => SdpWriter.Write(Description);
}

internal static class SdpBuild
{
    /// <summary>The last address written and its text: a node advertises one or two addresses, in every description.</summary>
    private static AddressText? s_lastAddress;

    public static SdpConnection Connection(IPAddress address) =>
        new("IN", address.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4", TextOf(address));

    public static SdpOrigin Origin(string username, ulong sessionId, ulong sessionVersion, IPAddress address) =>
        new(username, Number(sessionId), Number(sessionVersion), "IN", address.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4", TextOf(address));

    private static string Number(ulong n) => n <= 127 ? SdpTokens.Text((int)n) : n.ToString(CultureInfo.InvariantCulture);

    private static string TextOf(IPAddress address)
    {
        if (s_lastAddress is { } last && last.Address.Equals(address))
        {
            return last.Text;
        }

        var text = address.ToString();
        s_lastAddress = new AddressText(address, text);
        return text;
    }

    private sealed record AddressText(IPAddress Address, string Text);

    /// <summary>
    /// RFC 3264 section 6: a rejected stream keeps its media, protocol and a format, with port 0.
    /// <paramref name="connection"/> is for descriptions without a session-level c= (RFC 8866 section 5.7).
    /// </summary>
    public static SdpMediaDescription Rejected(SdpMediaDescription offered, SdpConnection? connection = null)
    {
        var m = new SdpMediaDescription(offered.Media, 0, offered.Protocol) { Mid = offered.Mid, Connection = connection };
        m.Formats.Add(offered.Formats.Count > 0 ? offered.Formats[0] : "0");
        return m;
    }

    /// <summary>Picks a voice codec: ours in our order when <paramref name="ourOrder"/>, else the offer's order.</summary>
    public static SdpPayloadFormat? ChooseCodec(List<SdpPayloadFormat> offered, IReadOnlyList<SdpCodec> supported, bool ourOrder)
    {
        if (ourOrder)
        {
            foreach (SdpCodec codec in supported)
            {
                foreach (SdpPayloadFormat f in offered)
                {
                    if (!codec.IsTelephoneEvent && Same(codec, f.Codec))
                    {
                        return f;
                    }
                }
            }

            return null;
        }

        foreach (SdpPayloadFormat f in offered)
        {
            foreach (SdpCodec codec in supported)
            {
                if (!codec.IsTelephoneEvent && Same(codec, f.Codec))
                {
                    return f;
                }
            }
        }

        return null;
    }

    private static bool Same(SdpCodec a, SdpCodec b) =>
        string.Equals(a.Name, b.Name, StringComparison.OrdinalIgnoreCase) && a.ClockRate == b.ClockRate && a.Channels == b.Channels;
}

/// <summary>Mapping of offer errors to the SIP response that refuses the offer.</summary>
public static class SdpOfferErrorExtensions
{
    /// <summary>488 Not Acceptable Here (RFC 3261 section 21.4.26) for every refusal; 200 for <see cref="SdpOfferError.None"/>.</summary>
    public static int ToSipStatusCode(this SdpOfferError error) => error == SdpOfferError.None ? 200 : 488;
}
