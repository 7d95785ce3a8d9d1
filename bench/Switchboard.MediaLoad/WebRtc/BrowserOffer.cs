using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Switchboard.Media.Dtls;

namespace Switchboard.MediaLoad.WebRtc;

/// <summary>
/// An audio offer shaped like Chromium's first createOffer() (no candidates: the PBX is ICE-lite and learns our
/// address from the checks), reduced to PCMU and telephone-event; and what the tool needs from the PBX's answer.
/// </summary>
internal static partial class BrowserOffer
{
    public static string Create(string ufrag, string password, DtlsFingerprint fingerprint) => string.Join("\r\n",
        "v=0",
        "o=- " + Random() + " 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0",
        "m=audio 9 UDP/TLS/RTP/SAVPF 0 126",
        "c=IN IP4 0.0.0.0",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=ice-ufrag:" + ufrag,
        "a=ice-pwd:" + password,
        "a=ice-options:trickle",
        "a=fingerprint:" + fingerprint,
        "a=setup:actpass",
        "a=mid:0",
        "a=sendrecv",
        "a=rtcp-mux",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:126 telephone-event/8000",
        "a=ssrc:" + Random() + " cname:mediaload",
        "");

    /// <summary>ICE credentials and DTLS fingerprint of the answer; false if any is missing.</summary>
    public static bool TryReadAnswer(string sdp, out string ufrag, out string password, out DtlsFingerprint? fingerprint)
    {
        ufrag = Ufrag().Match(sdp).Groups[1].Value;
        password = Pwd().Match(sdp).Groups[1].Value;
        fingerprint = null;
        var fp = Fingerprint().Match(sdp);
        return ufrag.Length > 0 && password.Length > 0 && fp.Success && DtlsFingerprint.TryParse(fp.Groups[1].Value.Trim(), out fingerprint);
    }

    /// <summary>A random ICE token of <paramref name="length"/> characters (RFC 8839 ice-char).</summary>
    public static string Token(int length) => RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", length);

    private static string Random() => RandomNumberGenerator.GetInt32(int.MaxValue).ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^a=ice-ufrag:(\S+)", RegexOptions.Multiline)]
    private static partial Regex Ufrag();

    [GeneratedRegex(@"^a=ice-pwd:(\S+)", RegexOptions.Multiline)]
    private static partial Regex Pwd();

    [GeneratedRegex(@"^a=fingerprint:([^\r\n]+)", RegexOptions.Multiline)]
    private static partial Regex Fingerprint();
}
