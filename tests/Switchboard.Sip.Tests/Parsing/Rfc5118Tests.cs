using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Tests.Parsing;

/// <summary>The IPv6 cases of RFC 5118 section 4, as short messages in the spirit of the RFC's (not its exact bytes).</summary>
public class Rfc5118Tests
{
    private static SipParseResult Parse(string requestUri, string via = "SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111", string contact = "\"Caller\" <sip:caller@[2001:db8::1]>") =>
        SipParser.Parse(Fixtures.Crlf($"""
            REGISTER {requestUri} SIP/2.0
            To: sip:user@example.com
            From: sip:user@example.com;tag=81x2
            Via: {via}
            Call-ID: SSG9559905523997077@hlau_4100
            Max-Forwards: 70
            Contact: {contact}
            CSeq: 98176 REGISTER
            Content-Length: 0


            """));

    [Fact]
    public void Ipv6_good()
    {
        var r = Parse("sip:[2001:db8::10]");
        Assert.True(r.IsSuccess, r.Detail);
        var m = (SipRequest)r.Message;
        Assert.Equal("[2001:db8::10]", m.RequestUri.Host);
        Assert.Null(m.RequestUri.Port);
        Assert.Equal("[2001:db8::9:1]", m.TopVia.Host);
        Assert.Equal("[2001:db8::1]", m.Contacts[0].Uri.Host);
    }

    [Fact]
    public void Ipv6_without_brackets_is_rejected()
    {
        var r = Parse("sip:2001:db8::10");
        Assert.Equal(SipParseError.BadRequestUri, r.Error);
        Assert.Equal(400, r.StatusCode);
    }

    [Fact]
    public void Port_ambiguous_and_unambiguous()
    {
        var ambiguous = (SipRequest)Parse("sip:[2001:db8::10:5070]").Message!;
        Assert.Equal("[2001:db8::10:5070]", ambiguous.RequestUri.Host);
        Assert.Null(ambiguous.RequestUri.Port);
        var unambiguous = (SipRequest)Parse("sip:[2001:db8::10]:5070").Message!;
        Assert.Equal("[2001:db8::10]", unambiguous.RequestUri.Host);
        Assert.Equal(5070, unambiguous.RequestUri.Port);
    }

    [Theory]
    [InlineData("SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bKas3-111", "[2001:db8::9:255]")]
    [InlineData("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3-111", "2001:db8::9:255")]
    public void Via_received_with_and_without_brackets(string via, string received)
    {
        var r = Parse("sip:[2001:db8::10]", via);
        Assert.True(r.IsSuccess, r.Detail);
        Assert.Equal(received, r.Message.TopVia.Received);
        Assert.Equal("z9hG4bKas3-111", r.Message.TopVia.Branch);
    }

    [Fact]
    public void Mixed_ipv4_and_ipv6_and_ipv4_mapped()
    {
        var r = Parse("sip:[::ffff:192.0.2.10]",
            "SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111, SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKjhja8781hjuaij65144",
            "\"Caller\" <sip:caller@[2001:db8::9:255]>, <sip:caller@192.0.2.1>");
        Assert.True(r.IsSuccess, r.Detail);
        var m = (SipRequest)r.Message;
        Assert.Equal("[::ffff:192.0.2.10]", m.RequestUri.Host);
        Assert.Equal(6050, m.Vias[0].Port);
        Assert.Equal("[2001:db8::9:1]:6050", m.Vias[0].SentBy);
        Assert.Equal("192.0.2.1", m.Vias[1].Host);
        Assert.Equal(2, m.Contacts.Count);
    }

    [Theory]
    [InlineData("[2001:db8::192.0.2.1]", true)]
    [InlineData("[2001:db8:::192.0.2.1]", false)]
    [InlineData("[2001:db8:0:0:0:0:0:1]", true)]
    [InlineData("[2001:db8:0:0:0:0:1]", false)]
    [InlineData("[2001:db8::1::2]", false)]
    public void Ipv6_reference_syntax(string host, bool valid) =>
        Assert.Equal(valid, SipUri.TryParse($"sip:user@{host}", out _));
}
