using Switchboard.Media.Sdp;

namespace Switchboard.Media.Tests.Sdp;

/// <summary>SDP bodies shaped like what the test peers send (see shared/design/TEST-PEERS.md).</summary>
internal static class SdpFixtures
{
    public const string ChromiumFingerprint =
        "sha-256 5E:2C:9A:41:0B:7D:E3:18:6F:A2:C4:90:11:3B:8E:D7:52:6A:F0:1C:93:B5:27:4E:D8:0F:A6:63:19:CB:E2:74";

    /// <summary>Chromium 156 audio-only offer from createOffer(), sent before ICE gathering (no candidates yet).</summary>
    public static string ChromiumAudioOffer => Lines(
        "v=0",
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0",
        "a=extmap-allow-mixed",
        "a=msid-semantic: WMS 6f1d3c2a-8b4e-4f7a-9c1d-2e3f4a5b6c7d",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
        "c=IN IP4 0.0.0.0",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=ice-ufrag:Wm7x",
        "a=ice-pwd:Ql8+0t9vh1zC3kX0yQ2sD5Jp",
        "a=ice-options:trickle",
        "a=fingerprint:" + ChromiumFingerprint,
        "a=setup:actpass",
        "a=mid:0",
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
        "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
        "a=sendrecv",
        "a=msid:6f1d3c2a-8b4e-4f7a-9c1d-2e3f4a5b6c7d 0b9e8d7c-6a5b-4c3d-2e1f-0a9b8c7d6e5f",
        "a=rtcp-mux",
        "a=rtcp-rsize",
        "a=rtpmap:111 opus/48000/2",
        "a=rtcp-fb:111 transport-cc",
        "a=fmtp:111 minptime=10;useinbandfec=1",
        "a=rtpmap:63 red/48000/2",
        "a=fmtp:63 111/111",
        "a=rtpmap:9 G722/8000",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:13 CN/8000",
        "a=rtpmap:110 telephone-event/48000",
        "a=rtpmap:126 telephone-event/8000",
        "a=ssrc:3735928559 cname:k3n9Vx2pQmT8rL1a",
        "a=ssrc:3735928559 msid:6f1d3c2a-8b4e-4f7a-9c1d-2e3f4a5b6c7d 0b9e8d7c-6a5b-4c3d-2e1f-0a9b8c7d6e5f");

    /// <summary>Chromium offer with audio, video and a data channel bundled, and one loopback candidate.</summary>
    public static string ChromiumAudioVideoDataOffer => Lines(
        "v=0",
        "o=- 8812345678901234567 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0 1 2",
        "a=extmap-allow-mixed",
        "a=msid-semantic: WMS",
        "m=audio 51234 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
        "c=IN IP4 127.0.0.1",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=candidate:1467250027 1 udp 2122260223 127.0.0.1 51234 typ host generation 0 network-id 1",
        "a=ice-ufrag:Ab3d",
        "a=ice-pwd:q1w2e3r4t5y6u7i8o9p0a1s2",
        "a=ice-options:trickle",
        "a=fingerprint:" + ChromiumFingerprint,
        "a=setup:actpass",
        "a=mid:0",
        "a=sendrecv",
        "a=rtcp-mux",
        "a=rtcp-rsize",
        "a=rtpmap:111 opus/48000/2",
        "a=fmtp:111 minptime=10;useinbandfec=1",
        "a=rtpmap:63 red/48000/2",
        "a=fmtp:63 111/111",
        "a=rtpmap:9 G722/8000",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:13 CN/8000",
        "a=rtpmap:110 telephone-event/48000",
        "a=rtpmap:126 telephone-event/8000",
        "a=ssrc:11111111 cname:k3n9Vx2pQmT8rL1a",
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
        "c=IN IP4 0.0.0.0",
        "a=ice-ufrag:Ab3d",
        "a=ice-pwd:q1w2e3r4t5y6u7i8o9p0a1s2",
        "a=fingerprint:" + ChromiumFingerprint,
        "a=setup:actpass",
        "a=mid:1",
        "a=sendrecv",
        "a=rtcp-mux",
        "a=rtpmap:96 VP8/90000",
        "a=rtpmap:97 rtx/90000",
        "a=fmtp:97 apt=96",
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
        "c=IN IP4 0.0.0.0",
        "a=ice-ufrag:Ab3d",
        "a=ice-pwd:q1w2e3r4t5y6u7i8o9p0a1s2",
        "a=fingerprint:" + ChromiumFingerprint,
        "a=setup:actpass",
        "a=mid:2",
        "a=sctp-port:5000",
        "a=max-message-size:262144");

    /// <summary>A linphone-style RTP/AVP offer: opus and speex first, three telephone-event rates.</summary>
    public static string LinphoneOffer => Lines(
        "v=0",
        "o=alice 3020 2461 IN IP4 192.168.0.12",
        "s=Talk",
        "c=IN IP4 192.168.0.12",
        "t=0 0",
        "a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics",
        "m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100",
        "a=rtpmap:96 opus/48000/2",
        "a=fmtp:96 useinbandfec=1",
        "a=rtpmap:97 speex/16000",
        "a=fmtp:97 vbr=on",
        "a=rtpmap:98 speex/8000",
        "a=fmtp:98 vbr=on",
        "a=fmtp:18 annexb=yes",
        "a=rtpmap:101 telephone-event/48000",
        "a=rtpmap:99 telephone-event/16000",
        "a=rtpmap:100 telephone-event/8000",
        "a=rtcp-fb:* trr-int 1000",
        "a=rtcp-fb:* ccm tmmbr");

    /// <summary>A baresip-style offer: static types without rtpmap for PCMA, media-level c=, ptime.</summary>
    public static string BaresipOffer => Lines(
        "v=0",
        "o=- 1370468376 3906231532 IN IP4 10.0.0.20",
        "s=-",
        "t=0 0",
        "m=audio 10462 RTP/AVP 8 0 101",
        "c=IN IP4 10.0.0.20",
        "b=AS:64",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-15",
        "a=ptime:20",
        "a=sendrecv",
        "a=label:1",
        "a=ssrc:2862310548 cname:bob@example.net");

    /// <summary>The same phone putting us on hold the RFC 2543 way.</summary>
    public static string LegacyHoldOffer => Lines(
        "v=0",
        "o=- 1370468376 3906231533 IN IP4 10.0.0.20",
        "s=-",
        "c=IN IP4 0.0.0.0",
        "t=0 0",
        "m=audio 10462 RTP/AVP 0 101",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-15");

    /// <summary>
    /// A browser's answer to our WebRTC offer (PCMU and telephone-event/8000 on our payload types by
    /// default), ICE ufrag "brws", DTLS role <paramref name="setup"/>.
    /// </summary>
    public static string BrowserAnswerToOurOffer(string fingerprint, string setup = "active", string formats = "0 101", string direction = "sendrecv") => Lines(
        "v=0",
        "o=- 1657423800430051336 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0",
        "a=msid-semantic: WMS",
        "m=audio 9 UDP/TLS/RTP/SAVPF " + formats,
        "c=IN IP4 0.0.0.0",
        "a=ice-ufrag:brws",
        "a=ice-pwd:browserpassword1234567890",
        "a=ice-options:trickle",
        "a=fingerprint:" + fingerprint,
        "a=setup:" + setup,
        "a=mid:0",
        "a=" + direction,
        "a=rtcp-mux",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=ssrc:12648430 cname:browser");

    /// <summary>Parses or fails the test with the parser's error.</summary>
    public static SdpSessionDescription Parse(string text)
    {
        Assert.True(SdpParser.TryParse(text, out SdpSessionDescription? sdp, out SdpParseError error), error.ToString());
        return sdp;
    }

    /// <summary>The PBX side of the WebRTC answer and offer tests.</summary>
    public static WebRtcLocalOptions OurLocal => new()
    {
        IceUfrag = "swb1",
        IcePwd = "0123456789abcdefghijklmn",
        Fingerprint = OurFingerprint,
        Address = System.Net.IPAddress.Parse("203.0.113.7"),
        Port = 40000,
        CandidateLines = ["a=" + OurCandidate],
        SessionId = 42,
        SessionVersion = 1,
    };

    public const string OurFingerprint = "sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";

    public const string OurCandidate = "candidate:1 1 udp 2130706431 203.0.113.7 40000 typ host";

    public static string Lines(params string[] lines) => string.Join("\r\n", lines) + "\r\n";
}
