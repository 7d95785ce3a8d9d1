using Switchboard.Media.Sdp;

namespace Switchboard.Media.Tests.Sdp;

public class SdpParserTests
{
    private static SdpSessionDescription Parse(string text)
    {
        Assert.True(SdpParser.TryParse(text, out SdpSessionDescription? sdp, out SdpParseError error), error.ToString());
        return sdp;
    }

    [Fact]
    public void Chromium_offer_parses_into_the_model()
    {
        SdpSessionDescription sdp = Parse(SdpFixtures.ChromiumAudioOffer);
        Assert.Equal("4611731400430051336", sdp.Origin.SessionId);
        Assert.Equal(["0"], sdp.BundleMids);
        Assert.Contains(sdp.OtherAttributes, a => a.Name == "msid-semantic");

        SdpMediaDescription audio = Assert.Single(sdp.Media);
        Assert.Equal("audio", audio.Media);
        Assert.Equal(9, audio.Port);
        Assert.Equal("UDP/TLS/RTP/SAVPF", audio.Protocol);
        Assert.Equal(["111", "63", "9", "0", "8", "13", "110", "126"], audio.Formats);
        Assert.Equal(new SdpConnection("IN", "IP4", "0.0.0.0"), audio.Connection);
        Assert.Equal("Wm7x", audio.IceUfrag);
        Assert.Equal("Ql8+0t9vh1zC3kX0yQ2sD5Jp", audio.IcePwd);
        Assert.Equal(["trickle"], audio.IceOptions);
        Assert.Equal("sha-256", Assert.Single(audio.Fingerprints).HashFunction);
        Assert.Equal(SdpSetup.ActPass, audio.Setup);
        Assert.Equal("0", audio.Mid);
        Assert.Equal(SdpDirection.SendRecv, audio.Direction);
        Assert.True(audio.RtcpMux);
        Assert.True(audio.RtcpRsize);
        Assert.Equal("9 IN IP4 0.0.0.0", audio.Rtcp);
        Assert.Equal(8, audio.RtpMaps.Count);
        Assert.Equal(new SdpRtpMap(111, "opus", 48000, 2), audio.FindRtpMap(111));
        Assert.Equal(new SdpRtpMap(126, "telephone-event", 8000), audio.FindRtpMap(126));
        Assert.Equal("minptime=10;useinbandfec=1", audio.FindFmtp(111)?.Parameters);
        Assert.Equal(2, audio.SsrcLines.Count);
        Assert.StartsWith("3735928559 cname:", audio.SsrcLines[0], StringComparison.Ordinal);
        Assert.Equal(4, audio.OtherAttributes.Count(a => a.Name == "extmap"));
        Assert.Contains(audio.OtherAttributes, a => a.Name == "rtcp-fb" && a.Value == "111 transport-cc");
    }

    [Fact]
    public void Formats_resolve_with_static_payload_types()
    {
        SdpSessionDescription sdp = Parse(SdpFixtures.BaresipOffer);
        List<SdpPayloadFormat> formats = SdpFormats.GetFormats(sdp.Media[0]);
        Assert.Equal(
            [new SdpPayloadFormat(8, SdpCodec.Pcma), new SdpPayloadFormat(0, SdpCodec.Pcmu), new SdpPayloadFormat(101, SdpCodec.TelephoneEvent8000, "0-15")],
            formats);
        Assert.Equal(20, sdp.Media[0].Ptime);
        Assert.Equal(new SdpLine('b', "AS:64"), Assert.Single(sdp.Media[0].OtherLines));
    }

    [Theory]
    [InlineData(nameof(SdpFixtures.ChromiumAudioOffer))]
    [InlineData(nameof(SdpFixtures.ChromiumAudioVideoDataOffer))]
    [InlineData(nameof(SdpFixtures.LinphoneOffer))]
    [InlineData(nameof(SdpFixtures.BaresipOffer))]
    [InlineData(nameof(SdpFixtures.LegacyHoldOffer))]
    public void Write_then_parse_is_stable(string fixture)
    {
        string text = (string)typeof(SdpFixtures).GetProperty(fixture, System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public)!.GetValue(null)!;
        string once = SdpWriter.Write(Parse(text));
        string twice = SdpWriter.Write(Parse(once));
        Assert.Equal(once, twice);

        // Nothing is lost: every line of the original is in the rewrite (order may be canonicalised).
        var written = once.Split("\r\n").ToHashSet();
        foreach (string line in text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Contains(line, written);
        }
    }

    [Fact]
    public void Bare_lf_and_trailing_blank_lines_are_accepted()
    {
        SdpSessionDescription sdp = Parse(SdpFixtures.BaresipOffer.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n\n");
        Assert.Single(sdp.Media);
    }

    /// <summary>The span reader splits on runs of spaces as the string reader did, and keeps a port count and channels.</summary>
    [Fact]
    public void Lines_with_extra_spaces_port_counts_and_channels_read_as_written()
    {
        const string text = "v=0\r\no=-  7 2 IN  IP4 198.51.100.7\r\ns=-\r\nc=IN  IP4   198.51.100.7\r\nt=0 0\r\n" +
            "m=audio  49170/2   RTP/AVP  0   8 101\r\na=rtpmap: 0  PCMU/8000\r\na=rtpmap:101 telephone-event/8000/1\r\n" +
            "a=rtpmap:8 PCMA/8000/2\r\na=sendonly\r\n";
        Assert.True(SdpParser.TryParse(text, out SdpSessionDescription? sdp, out _));
        Assert.Equal(new SdpOrigin("-", "7", "2", "IN", "IP4", "198.51.100.7"), sdp.Origin);
        Assert.Equal(new SdpConnection("IN", "IP4", "198.51.100.7"), sdp.Connection);
        SdpMediaDescription audio = Assert.Single(sdp.Media);
        Assert.Equal(("audio", 49170, 2, "RTP/AVP"), (audio.Media, audio.Port, audio.PortCount, audio.Protocol));
        Assert.Equal(["0", "8", "101"], audio.Formats);
        Assert.Equal([new SdpRtpMap(0, "PCMU", 8000), new SdpRtpMap(101, "telephone-event", 8000, 1), new SdpRtpMap(8, "PCMA", 8000, 2)], audio.RtpMaps);
        Assert.Equal(SdpDirection.SendOnly, audio.Direction);
    }

    /// <summary>What a SIP phone's offer turns into, written again: the writer's bytes are exact.</summary>
    [Fact]
    public void A_sip_answer_is_written_byte_for_byte()
    {
        var offer = SipMediaSdp.CreateOffer(System.Net.IPAddress.Parse("198.51.100.7"), 20000, [SdpCodec.Pcmu, SdpCodec.Pcma], 42, 3);
        Assert.Equal(
            "v=0\r\no=- 42 3 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0 8 101\r\n" +
            "a=rtcp:20000\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n" +
            "a=fmtp:101 0-16\r\na=ptime:20\r\n",
            SdpWriter.Write(offer));

        // Twice on one thread: the writer reuses its builder, and must start empty.
        Assert.Equal(SdpWriter.Write(offer), SdpWriter.Write(offer));
    }

    [Theory]
    [InlineData("", SdpParseErrorCode.Empty, 0)]
    [InlineData("v=1\r\n", SdpParseErrorCode.BadVersion, 1)]
    [InlineData("o=- 1 1 IN IP4 1.2.3.4\r\n", SdpParseErrorCode.BadVersion, 1)]
    [InlineData("v=0\r\ns=-\r\n", SdpParseErrorCode.MissingOrigin, 2)]
    [InlineData("v=0\r\n", SdpParseErrorCode.MissingOrigin, 0)]
    [InlineData("v=0\r\no=- 1 1 IN IP4\r\n", SdpParseErrorCode.BadOrigin, 2)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nhello\r\n", SdpParseErrorCode.BadLine, 3)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nc=IN IP4\r\n", SdpParseErrorCode.BadConnection, 3)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nm=audio x RTP/AVP 0\r\n", SdpParseErrorCode.BadMedia, 3)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 70000 RTP/AVP 0\r\n", SdpParseErrorCode.BadMedia, 3)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 1 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", SdpParseErrorCode.BadRtpMap, 4)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 1 RTP/AVP 0\r\na=rtpmap:200 x/8000\r\n", SdpParseErrorCode.BadRtpMap, 4)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 1 RTP/AVP 0\r\na=fmtp:0\r\n", SdpParseErrorCode.BadFmtp, 4)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\na=fingerprint:sha-256\r\n", SdpParseErrorCode.BadFingerprint, 3)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\na=setup:sideways\r\n", SdpParseErrorCode.BadSetup, 3)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\na=group:\r\n", SdpParseErrorCode.BadGroup, 3)]
    public void Errors_are_typed_with_the_line(string text, SdpParseErrorCode code, int line)
    {
        Assert.False(SdpParser.TryParse(text, out SdpSessionDescription? sdp, out SdpParseError error));
        Assert.Null(sdp);
        Assert.Equal(new SdpParseError(code, line), error);
    }

    [Fact]
    public void Oversized_body_is_refused()
    {
        string text = "v=0\r\no=- 1 1 IN IP4 h\r\n" + string.Concat(Enumerable.Repeat("a=x-padding:0123456789\r\n", 4000));
        Assert.False(SdpParser.TryParse(text, out _, out SdpParseError error));
        Assert.Equal(SdpParseErrorCode.TooLarge, error.Code);
    }

    [Fact]
    public void Random_mutations_never_throw_in_parse_write_or_answer()
    {
        var random = new Random(8866);
        const string alphabet = " :=/\r\n0123456789abcmsAZ-+.";
        var options = new WebRtcAnswerOptions
        {
            IceUfrag = "swb1",
            IcePwd = "0123456789abcdefghijklmn",
            Fingerprint = "sha-256 AA:BB",
            Address = System.Net.IPAddress.Loopback,
            Port = 40000,
            CandidateLines = [],
            CodecPreferences = [SdpCodec.Opus, SdpCodec.Pcmu],
        };
        foreach (string fixture in new[] { SdpFixtures.ChromiumAudioVideoDataOffer, SdpFixtures.LinphoneOffer })
        {
            for (int i = 0; i < 3000; i++)
            {
                char[] text = fixture.ToCharArray();
                for (int k = 0; k < 4; k++)
                {
                    text[random.Next(text.Length)] = alphabet[random.Next(alphabet.Length)];
                }

                if (SdpParser.TryParse(new string(text), out SdpSessionDescription? sdp, out _))
                {
                    _ = SdpWriter.Write(sdp);
                    _ = WebRtcAnswer.TryCreate(sdp, options, out _, out _);
                    _ = SipSdp.TryCreateAnswer(sdp, new SipAnswerOptions { Address = System.Net.IPAddress.Loopback, Port = 30000 }, out _, out _);
                    _ = SipSdp.GetHoldState(sdp);
                }
            }
        }
    }

    [Fact]
    public void Truncation_at_every_character_never_throws()
    {
        string text = SdpFixtures.ChromiumAudioVideoDataOffer;
        for (int cut = 0; cut <= text.Length; cut++)
        {
            if (SdpParser.TryParse(text[..cut], out SdpSessionDescription? sdp, out _))
            {
                _ = SdpWriter.Write(sdp);
                _ = WebRtcAnswer.Validate(sdp, [SdpCodec.Pcmu]);
            }
        }
    }
}
