using System.Net;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Tests.Messages;

public class SipTransportRulesTests
{
    private static SipRequest Request(string via) => (SipRequest)SipParser.Parse(Fixtures.Crlf($"""
        OPTIONS sip:pbx.example.com SIP/2.0
        Via: {via}, SIP/2.0/UDP second.example.com;branch=z9hG4bK2
        To: <sip:pbx.example.com>
        From: <sip:1001@pbx.example.com>;tag=1
        Call-ID: c1@h
        CSeq: 1 OPTIONS
        Content-Length: 0


        """)).Message!;

    [Fact]
    public void Received_and_rport_are_stamped_per_rfc_3581()
    {
        var stamped = SipTransportRules.StampReceived(Request("SIP/2.0/UDP phone.lan:5060;branch=z9hG4bK1;rport"), IPAddress.Parse("203.0.113.9"), 40123);
        Assert.Equal("203.0.113.9", stamped.TopVia.Received);
        Assert.Equal(40123, stamped.TopVia.RPort);
        Assert.Equal("z9hG4bK1", stamped.TopVia.Branch);
        Assert.Equal(2, stamped.Vias.Count);
        Assert.Equal("second.example.com", stamped.Vias[1].Host);

        var response = SipMessageFactory.CreateResponse(stamped, 200, toTag: "x").BuildResponse();
        Assert.Equal(new SipResponseTarget("203.0.113.9", 40123, "UDP", false), SipTransportRules.GetResponseTarget(response));
    }

    [Fact]
    public void Nothing_changes_when_the_source_is_the_sent_by_address()
    {
        var request = Request("SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK1");
        Assert.Same(request, SipTransportRules.StampReceived(request, IPAddress.Parse("192.0.2.7"), 5062));
        var response = SipMessageFactory.CreateResponse(request, 200, toTag: "x").BuildResponse();
        Assert.Equal(new SipResponseTarget("192.0.2.7", 5062, "UDP", false), SipTransportRules.GetResponseTarget(response));
    }

    [Fact]
    public void Reliable_transports_answer_on_the_request_connection()
    {
        var request = SipTransportRules.StampReceived(Request("SIP/2.0/TLS phone.lan;branch=z9hG4bK1"), IPAddress.Parse("198.51.100.2"), 50000);
        var target = SipTransportRules.GetResponseTarget(SipMessageFactory.CreateResponse(request, 200, toTag: "x").BuildResponse());
        Assert.True(target.UseRequestConnection);
        Assert.Equal(("198.51.100.2", 5061), (target.Host, target.Port));
    }
}
