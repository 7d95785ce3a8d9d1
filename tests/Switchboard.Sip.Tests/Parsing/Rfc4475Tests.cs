using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Tests.Parsing;

/// <summary>RFC 4475 torture messages, section 3.1.1 (valid) and 3.1.2 (invalid), plus a few of section 3.3.</summary>
public class Rfc4475Tests
{
    private static SipMessage ParseOk(string name)
    {
        var result = SipParser.Parse(Fixtures.Rfc4475(name));
        Assert.True(result.IsSuccess, $"{name}: {result.Error} {result.Detail}");
        return result.Message!;
    }

    [Theory]
    [InlineData("wsinv")]
    [InlineData("intmeth")]
    [InlineData("esc01")]
    [InlineData("escnull")]
    [InlineData("esc02")]
    [InlineData("lwsdisp")]
    [InlineData("longreq")]
    [InlineData("dblreq")]
    [InlineData("semiuri")]
    [InlineData("transports")]
    [InlineData("mpart01")]
    [InlineData("unreason")]
    [InlineData("noreason")]
    [InlineData("unkscm")]
    [InlineData("novelsc")]
    [InlineData("unksm2")]
    [InlineData("cparam01")]
    [InlineData("cparam02")]
    [InlineData("regescrt")]
    [InlineData("badbranch")]
    public void Valid_messages_parse_and_their_hot_headers_materialize(string name)
    {
        var m = ParseOk(name);
        Assert.NotEmpty(m.Vias);
        Assert.NotNull(m.From.Uri);
        Assert.NotNull(m.To.Uri);
        Assert.NotEmpty(m.CallId);
        _ = m.Contacts;
        _ = m.Routes;
        if (m is SipRequest r) Assert.NotNull(r.RequestUri);
        // The canonical form parses again to the same hot values.
        var again = SipParser.Parse(SipMessageWriter.ToArray(m));
        Assert.True(again.IsSuccess, $"{name} rewritten: {again.Error} {again.Detail}");
        Assert.Equal(m.CallId, again.Message!.CallId);
        Assert.Equal(m.CSeq, again.Message.CSeq);
        Assert.Equal(m.Body.ToArray(), again.Message.Body.ToArray());
    }

    [Fact]
    public void Wsinv_short_tortuous_invite()
    {
        var m = (SipRequest)ParseOk("wsinv");
        Assert.Equal(SipMethod.Invite, m.Method);
        Assert.Equal("vivekg", m.RequestUri.User);
        Assert.Equal("chair-dnrc.example.com", m.RequestUri.Host);
        Assert.True(m.RequestUri.Parameters.Has("unknownparam"));
        Assert.Equal("1918181833n", m.To.Tag);
        Assert.Equal("J Rosenberg \\\"", m.From.DisplayName);
        Assert.Equal("98asjd8", m.From.Tag);
        Assert.Equal(68, m.MaxForwards);
        Assert.Equal("wsinv.ndaksdj@192.0.2.1", m.CallId);
        Assert.Equal(new SipCSeq(9, SipMethod.Invite), m.CSeq);
        Assert.Equal(3, m.Vias.Count);
        Assert.Equal("UDP", m.Vias[0].Transport);
        Assert.Equal("192.0.2.2", m.Vias[0].Host);
        Assert.Equal("390skdjuw", m.Vias[0].Branch);
        Assert.Equal("TCP", m.Vias[1].Transport);
        Assert.Equal("spindle.example.com", m.Vias[1].Host);
        Assert.Equal("z9hG4bK9ikj8", m.Vias[1].Branch);
        Assert.Equal("192.168.255.111", m.Vias[2].Host);
        Assert.Equal("z9hG4bK30239", m.Vias[2].Branch);
        Assert.Equal("newfangled value continued newfangled value", m.GetHeaderValue("NewFangledHeader"));
        Assert.Equal(";;,,;;,;", m.GetHeaderValue("UnknownHeaderWithUnusualValue"));
        Assert.Equal("", m.GetHeaderValue("Subject"));
        Assert.Equal("application/sdp", m.ContentType);
        var route = Assert.Single(m.Routes);
        Assert.True(route.Uri.IsLooseRouter);
        var contact = Assert.Single(m.Contacts);
        Assert.Equal("Quoted string \"\"", contact.DisplayName);
        Assert.Equal("newvalue", contact.Parameters.Get("newparam"));
        Assert.True(contact.Parameters.Has("secondparam"));
        Assert.Equal("0.33", contact.Parameters.Get("q"));
        Assert.Equal(150, m.Body.Length);
    }

    [Fact]
    public void Intmeth_wide_range_of_valid_characters()
    {
        var m = (SipRequest)ParseOk("intmeth");
        Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", m.Method.Name);
        Assert.Equal(m.Method, m.CSeq.Method);
        Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", m.RequestUri.User);
        Assert.Equal("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", m.RequestUri.Password);
        Assert.Equal("example.com", m.RequestUri.Host);
        Assert.Equal("BEL:\a NUL:\0 DEL:\u007f", m.To.DisplayName);
        Assert.Equal("token1~` token2'+_ token3*%!.-", m.From.DisplayName);
        Assert.Equal("_token~1'+`*%!-.", m.From.Tag);
        Assert.Equal("\"работающий\"", m.From.Parameters.Get("fromParam''~+*_!.-%"));
        Assert.Equal("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", m.CallId);
        Assert.Equal(255, m.MaxForwards);
        Assert.Equal("\uFEFF大停電", m.GetHeaderValue("extensionHeader-!.%*+_`'~"));
    }

    [Fact]
    public void Esc01_escapes_are_decoded_in_uris()
    {
        var m = (SipRequest)ParseOk("esc01");
        Assert.Equal("sips:user@example.com", m.RequestUri.User);
        Assert.Equal("example.net", m.RequestUri.Host);
        Assert.Equal("user", m.To.Uri.User);
        Assert.Equal("I have spaces", m.From.Uri.User);
        Assert.Equal("esc01.239409asdfakjkn23onasd0-3234", m.CallId);
        Assert.Equal("application/sdp", m.ContentType);
        var contact = Assert.Single(m.Contacts);
        Assert.Equal("caller", contact.Uri.User);
        Assert.True(contact.Uri.IsLooseRouter);
        Assert.Equal("value%41", contact.Uri.Parameters.Get("name"));
    }

    [Fact]
    public void Escnull_and_esc02()
    {
        var n = ParseOk("escnull");
        Assert.Equal("null-\0-null", n.To.Uri.User);
        Assert.Equal(2, n.Contacts.Count);
        Assert.Equal("\0\0", n.Contacts[1].Uri.User);
        var e = (SipRequest)ParseOk("esc02");
        Assert.Equal("RE%47IST%45R", e.Method.Name);
        Assert.NotEqual(SipMethod.Register, e.Method);
        Assert.Equal("%Z%45", e.To.DisplayName);
        Assert.Equal(2, e.Contacts.Count);
        Assert.Equal("<sip:alias2@host2.example.com>", e.GetHeaderValue("C%6Fntact"));
    }

    [Fact]
    public void Lwsdisp_longreq_dblreq_semiuri_transports()
    {
        Assert.Equal("caller", ParseOk("lwsdisp").From.DisplayName);

        var longreq = ParseOk("longreq");
        Assert.Equal(34, longreq.Vias.Count);
        Assert.Equal("192.0.2.5", longreq.Vias[33].Received);
        Assert.Equal(150, longreq.Body.Length);
        Assert.Equal(6000, longreq.To.Uri.Port);

        var bytes = Fixtures.Rfc4475("dblreq");
        var dbl = (SipRequest)ParseOk("dblreq");
        Assert.Equal(SipMethod.Register, dbl.Method);
        Assert.Equal(0, dbl.Body.Length);
        Assert.True(dbl.Raw.Length < bytes.Length);

        var semi = (SipRequest)ParseOk("semiuri");
        Assert.Equal("user;par=u@example.net", semi.RequestUri.User);
        Assert.Equal("example.com", semi.RequestUri.Host);
        Assert.Empty(semi.RequestUri.Parameters);
        Assert.Equal(6, semi.GetHeaderValues("Accept").Count);

        var t = ParseOk("transports");
        Assert.Equal(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"], t.Vias.Select(v => v.Transport));
    }

    [Fact]
    public void Mpart01_unreason_noreason()
    {
        var mp = ParseOk("mpart01");
        Assert.Equal(553, mp.Body.Length);
        Assert.True(mp.TopVia.HasRPort);
        Assert.Null(mp.TopVia.RPort);

        var u = (SipResponse)ParseOk("unreason");
        Assert.Equal(200, u.StatusCode);
        Assert.Equal("= 2**3 * 5**2 но сто девяносто девять - простое", u.ReasonPhrase);

        var n = (SipResponse)ParseOk("noreason");
        Assert.Equal(100, n.StatusCode);
        Assert.Equal("", n.ReasonPhrase);
    }

    [Fact]
    public void Unusual_schemes_parse_opaquely()
    {
        Assert.Equal("nobodyknowsthisscheme", ((SipRequest)ParseOk("unkscm")).RequestUri.Scheme);
        Assert.Equal("//192.0.2.103:3002", ((SipRequest)ParseOk("novelsc")).RequestUri.Opaque);
        var u = ParseOk("unksm2");
        Assert.Equal("isbn", u.To.Uri.Scheme);
        Assert.Equal("http", u.From.Uri.Scheme);
        Assert.Equal("name", u.Contacts[0].Uri.Scheme);
        var c1 = ParseOk("cparam01");
        Assert.True(c1.Contacts[0].Parameters.Has("unknownparam"));
        Assert.Empty(c1.Contacts[0].Uri.Parameters);
        var c2 = ParseOk("cparam02");
        Assert.True(c2.Contacts[0].Uri.Parameters.Has("unknownparam"));
        Assert.Empty(c2.Contacts[0].Parameters);
        Assert.Equal("<sip:sip.example.com>", ParseOk("regescrt").Contacts[0].Uri.Headers.Get("Route"));
    }

    [Theory]
    [InlineData("badinv01", SipParseError.BadHeader, 400)]
    [InlineData("clerr", SipParseError.BadContentLength, 400)]
    [InlineData("ncl", SipParseError.BadContentLength, 400)]
    [InlineData("scalar02", SipParseError.BadHeader, 400)]
    [InlineData("scalarlg", SipParseError.Unparsable, 0)]
    [InlineData("quotbal", SipParseError.BadHeader, 400)]
    [InlineData("ltgtruri", SipParseError.BadRequestUri, 400)]
    [InlineData("lwsruri", SipParseError.BadRequestLine, 400)]
    [InlineData("lwsstart", SipParseError.BadRequestLine, 400)]
    [InlineData("trws", SipParseError.BadRequestLine, 400)]
    [InlineData("escruri", SipParseError.BadRequestUri, 400)]
    [InlineData("baddate", SipParseError.BadHeader, 400)]
    [InlineData("regbadct", SipParseError.BadHeader, 400)]
    [InlineData("badaspec", SipParseError.BadHeader, 400)]
    [InlineData("baddn", SipParseError.BadHeader, 400)]
    [InlineData("badvers", SipParseError.VersionNotSupported, 505)]
    [InlineData("mismatch01", SipParseError.CSeqMismatch, 400)]
    [InlineData("mismatch02", SipParseError.CSeqMismatch, 400)]
    [InlineData("bigcode", SipParseError.Unparsable, 0)]
    [InlineData("insuf", SipParseError.MissingHeader, 400)]
    [InlineData("multi01", SipParseError.DuplicateHeader, 400)]
    [InlineData("mcl01", SipParseError.DuplicateHeader, 400)]
    public void Invalid_messages_get_an_error_and_status(string name, SipParseError error, int status)
    {
        var result = SipParser.Parse(Fixtures.Rfc4475(name));
        Assert.False(result.IsSuccess);
        Assert.Equal(error, result.Error);
        Assert.Equal(status, result.StatusCode);
    }

    [Fact]
    public void A_rejected_request_can_be_answered_from_its_own_headers()
    {
        var result = SipParser.Parse(Fixtures.Rfc4475("badaspec"));
        Assert.Equal("Bad Header: To", result.ReasonPhrase);
        Assert.Equal(400, result.StatusCode);

        var mismatch = SipParser.Parse(Fixtures.Rfc4475("mismatch01"));
        Assert.True(mismatch.TryCreateErrorResponse("x2", out var response));
        Assert.Equal(400, response.StatusCode);
        Assert.Equal("x2", response.To.Tag);
        Assert.Equal("mismatch01.dj0234sxdfl3", response.CallId);
        Assert.Equal("z9hG4bKkdjuw", response.TopVia.Branch);
    }

    [Fact]
    public void Scalar02_is_answered_with_a_well_formed_400_whose_CSeq_keeps_the_method()
    {
        // RFC 4475 section 3.1.2.4: "should respond with a 400 Bad Request due to the CSeq error".
        var result = SipParser.Parse(Fixtures.Rfc4475("scalar02"));
        Assert.Equal("Bad Header: CSeq", result.ReasonPhrase);
        Assert.True(result.TryCreateErrorResponse("t1", out var response));
        Assert.Equal(400, response.StatusCode);
        Assert.Equal(new SipCSeq(0, SipMethod.Register), response.CSeq);
        Assert.Equal("scalar02.23o0pd9vanlq3wnrlnewofjas9ui32", response.CallId);
        Assert.Equal("z9hG4bK342sdfoi3", response.TopVia.Branch);
        Assert.Equal("239232jh3", response.From.Tag);
        Assert.Equal("t1", response.To.Tag);
        Assert.True(SipParser.Parse(SipMessageWriter.ToArray(response)).IsSuccess);
    }

    [Theory]
    [InlineData("CSeq: REGISTER")]
    [InlineData("CSeq: one REGISTER")]
    [InlineData("CSeq: 4294967296 REGISTER")]
    [InlineData("CSeq: -1 REGISTER")]
    [InlineData("CSeq: 7")]
    public void A_CSeq_that_is_not_a_32_bit_number_gets_400_with_a_stand_in_CSeq(string cseq)
    {
        var result = SipParser.Parse(Register(cseq));
        Assert.Equal(SipParseError.BadHeader, result.Error);
        Assert.True(result.TryCreateErrorResponse("t1", out var response));
        Assert.Equal(new SipCSeq(0, SipMethod.Register), response.CSeq);
    }

    [Fact]
    public void A_CSeq_up_to_2_to_the_32_minus_1_is_valid()
    {
        // RFC 3261 section 8.1.1.5: expressible as a 32-bit unsigned integer; only a first request stays below 2**31.
        var result = SipParser.Parse(Register("CSeq: 4294967295 REGISTER"));
        Assert.True(result.IsSuccess, $"{result.Error} {result.Detail}");
        Assert.Equal(uint.MaxValue, result.Message.CSeq.Number);
    }

    private static byte[] Register(string cseq) => Fixtures.Crlf($"""
        REGISTER sip:example.com SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKcseq
        To: <sip:user@example.com>
        From: <sip:user@example.com>;tag=1
        Call-ID: cseq-range
        {cseq}
        Content-Length: 0


        """);

    [Fact]
    public void Every_truncation_and_every_single_byte_corruption_of_every_fixture_returns_without_throwing()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Rfc4475");
        foreach (var file in Directory.GetFiles(dir, "*.dat"))
        {
            var bytes = File.ReadAllBytes(file);
            for (var cut = 0; cut <= bytes.Length; cut++)
            {
                _ = SipParser.Parse(bytes.AsSpan(0, cut));
            }
            var rng = new Random(bytes.Length);
            for (var k = 0; k < 200; k++)
            {
                var copy = (byte[])bytes.Clone();
                copy[rng.Next(copy.Length)] = (byte)rng.Next(256);
                var r = SipParser.Parse(copy);
                if (r.IsSuccess)
                {
                    var m = r.Message;
                    _ = m.Vias;
                    _ = m.From;
                    _ = m.To;
                    _ = m.Contacts;
                    _ = m.RecordRoutes;
                    _ = m.Routes;
                    if (m is SipRequest req) _ = req.RequestUri;
                    _ = SipMessageWriter.ToArray(m);
                }
            }
        }
    }
}
