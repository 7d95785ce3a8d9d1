using System.Collections.Frozen;
using System.Globalization;

namespace Switchboard.Media.Sdp;

/// <summary>
/// The words every SIP and WebRTC description repeats (network and address types, media, protocols, payload type
/// numbers, encoding and attribute names) as shared strings, so parsing a description allocates only what is its own.
/// </summary>
internal static class SdpTokens
{
    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Known = Build().GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The shared string for a common token, a new one otherwise.</summary>
    public static string Text(ReadOnlySpan<char> token) => Known.TryGetValue(token, out var shared) ? shared : token.ToString();

    /// <summary>A number as text: shared for payload types and common rates, ports formatted.</summary>
    public static string Text(int number) => number is >= 0 and <= 127 ? Small[number] : number switch
    {
        8000 => "8000",
        16000 => "16000",
        48000 => "48000",
        _ => number.ToString(CultureInfo.InvariantCulture),
    };

    private static readonly string[] Small = Enumerable.Range(0, 128).Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray();

    private static FrozenDictionary<string, string> Build()
    {
        var words = new List<string>
        {
            "IN", "IP4", "IP6", "audio", "video", "application", "RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF", "UDP/TLS/RTP/SAVPF",
            "UDP/DTLS/SCTP", "webrtc-datachannel", "PCMU", "PCMA", "G722", "G729", "opus", "CN", "telephone-event", "rtpmap", "fmtp",
            "sendrecv", "sendonly", "recvonly", "inactive", "ptime", "maxptime", "rtcp", "rtcp-mux", "rtcp-rsize", "rtcp-fb", "mid",
            "ssrc", "msid", "candidate", "end-of-candidates", "ice-ufrag", "ice-pwd", "ice-options", "ice-lite", "fingerprint", "setup",
            "group", "extmap", "extmap-allow-mixed", "msid-semantic", "bundle-only", "0-16", "0-15", "-", "127.0.0.1", "0.0.0.0", "trickle",
            "actpass", "active", "passive", "annexb=no", "8000", "16000", "48000",
        };
        for (var pt = 0; pt <= 127; pt++)
        {
            words.Add(pt.ToString(CultureInfo.InvariantCulture));
        }

        return words.ToFrozenDictionary(w => w, StringComparer.Ordinal);
    }
}
