using System.Buffers;
using System.Text;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Tests.Parsing;

public class SipMessageWriterTests
{
    [Fact]
    public void Canonical_output_uses_long_names_unfolds_and_rewrites_content_length()
    {
        var input = Fixtures.Crlf("""
            OPTIONS sip:user@example.com SIP/2.0
            v: SIP/2.0/UDP h.example.com;branch=z9hG4bK1
            t: sip:user@example.com
            f: <sip:caller@example.com>;tag=1
            i: abc@h
            CSeq: 1
              OPTIONS
            X-Custom: one
             two   "quoted   stays"
            l: 4

            abcd
            """);
        var m = SipParser.Parse(input).Message!;
        var text = Encoding.UTF8.GetString(SipMessageWriter.ToArray(m));
        Assert.Equal(Encoding.UTF8.GetString(Fixtures.Crlf("""
            OPTIONS sip:user@example.com SIP/2.0
            Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1
            To: sip:user@example.com
            From: <sip:caller@example.com>;tag=1
            Call-ID: abc@h
            CSeq: 1 OPTIONS
            X-Custom: one two "quoted   stays"
            Content-Length: 4

            abcd
            """)), text);
    }

    [Fact]
    public void Buffer_writer_and_span_agree_and_a_short_span_fails_cleanly()
    {
        var m = SipMessageBuilder.Response(180)
            .AddHeader("Via", "SIP/2.0/UDP h;branch=z9hG4bK1")
            .AddHeader("To", "<sip:a@b>;tag=x")
            .AddHeader("From", "<sip:c@d>;tag=y")
            .AddHeader("Call-ID", "1@h")
            .AddHeader("CSeq", "7 INVITE")
            .Build();
        var writer = new ArrayBufferWriter<byte>();
        SipMessageWriter.Write(m, writer);
        Assert.Equal(SipMessageWriter.GetLength(m), writer.WrittenCount);
        Assert.Equal(m.Raw.ToArray(), writer.WrittenSpan.ToArray());
        Assert.False(SipMessageWriter.TryWrite(m, new byte[20], out var written));
        Assert.Equal(0, written);
        Assert.Equal("SIP/2.0 180 Ringing", Encoding.ASCII.GetString(writer.WrittenSpan)[..19]);
    }

    [Fact]
    public void Builder_derives_a_proxied_request()
    {
        var request = Transactions.TransactionTests.Request(SipMethod.Invite);
        var forwarded = request.ToBuilder()
            .PrependHeader("Via", SipVia.Format("UDP", "proxy.example.com", "z9hG4bKproxy1", rport: true))
            .SetHeader("Max-Forwards", "69")
            .BuildRequest();
        Assert.Equal(2, forwarded.Vias.Count);
        Assert.Equal("proxy.example.com", forwarded.TopVia.Host);
        Assert.True(forwarded.TopVia.HasRPort);
        Assert.Equal(69, forwarded.MaxForwards);
        Assert.Equal(request.CallId, forwarded.CallId);
        Assert.Throws<InvalidOperationException>(() => request.ToBuilder().RemoveHeader("Call-ID").Build());
    }

    [Fact]
    public void Uris_and_name_addresses()
    {
        var uri = SipUri.Parse("sips:alice:secret@atlanta.example.com:5061;transport=tls;lr?subject=project%20x&priority=urgent");
        Assert.True(uri.IsSecure);
        Assert.Equal("alice", uri.User);
        Assert.Equal("secret", uri.Password);
        Assert.Equal(5061, uri.Port);
        Assert.Equal("tls", uri.Transport);
        Assert.True(uri.IsLooseRouter);
        Assert.Equal("project x", uri.Headers.Get("subject"));
        Assert.Equal("sip:a%20b@h:5080;user=phone", SipUri.Create("a b", "h", 5080, parameters: new SipParameter("user", "phone")).ToString());
        Assert.False(SipUri.TryParse("sip:", out _));
        Assert.False(SipUri.TryParse("sip:user@host:99999", out _));
        Assert.False(SipUri.TryParse("sip:us er@host", out _));
        var na = SipNameAddress.Create(SipUri.Parse("sip:bob@example.com"), "Bob \"B\"", "t1");
        Assert.Equal("\"Bob \\\"B\\\"\" <sip:bob@example.com>;tag=t1", na.ToString());
        Assert.Equal("Bob \"B\"", SipNameAddress.Parse(na.ToString()).DisplayName);
        Assert.Equal("t2", na.WithTag("t2").Tag);
    }
}
