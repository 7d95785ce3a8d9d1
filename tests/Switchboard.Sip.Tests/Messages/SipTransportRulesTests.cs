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
    /// <summary>Only the top Via value changes: compact names, the second Via on the same line and the body stay as received.</summary>
    [Fact]
    public void Stamping_rewrites_only_the_top_via_bytes()
    {
        var received = Fixtures.Crlf("""
            INVITE sip:2000@pbx.example.com SIP/2.0
            v: SIP/2.0/UDP phone.lan:5060 ; branch=z9hG4bK7 ;received=10.0.0.9; rport, SIP/2.0/UDP proxy.example.com;branch=z9hG4bK8
            t: <sip:2000@pbx.example.com>
            f: "Alice" <sip:1001@pbx.example.com>;tag=9
            i: c7@h
            CSeq: 3 INVITE
            l: 4

            body
            """);
        var request = (SipRequest)SipParser.Parse(received).Message!;
        var stamped = SipTransportRules.StampReceived(request, IPAddress.Parse("203.0.113.9"), 40123);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(received).Replace(
            "phone.lan:5060 ; branch=z9hG4bK7 ;received=10.0.0.9; rport,",
            "phone.lan:5060 ;branch=z9hG4bK7;rport=40123;received=203.0.113.9,", StringComparison.Ordinal), stamped.ToString());
        Assert.Equal(("z9hG4bK7", 40123, "203.0.113.9"), (stamped.TopVia.Branch, stamped.TopVia.RPort, stamped.TopVia.Received));
        Assert.Equal("proxy.example.com", stamped.Vias[1].Host);
        Assert.Equal("body", System.Text.Encoding.UTF8.GetString(stamped.Body.Span));
    }

    [Fact]
    public void An_ipv6_source_is_stamped_and_a_matching_bracketed_host_is_left_alone()
    {
        var stamped = SipTransportRules.StampReceived(Request("SIP/2.0/UDP phone.lan;branch=z9hG4bK1"), IPAddress.Parse("2001:db8::9"), 5060);
        Assert.Equal("SIP/2.0/UDP phone.lan;branch=z9hG4bK1;received=2001:db8::9", stamped.TopVia.ToString());

        var request = Request("SIP/2.0/UDP [2001:db8::9]:5062;branch=z9hG4bK1");
        Assert.Same(request, SipTransportRules.StampReceived(request, IPAddress.Parse("2001:db8::9"), 5062));
    }

    /// <summary>RFC 3261 section 8.2.6.2: the response copies the request's headers as received and adds only our To tag.</summary>
    [Fact]
    public void A_response_copies_the_request_bytes_and_appends_the_to_tag()
    {
        var request = (SipRequest)SipParser.Parse(Fixtures.Crlf("""
            INVITE sip:2000@pbx.example.com SIP/2.0
            Via: SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK1;rport=5062;received=192.0.2.7
            Max-Forwards: 70
            To: "Bob \"B\"" <sip:2000@pbx.example.com;user=phone>;x=1
            From: sip:1001@pbx.example.com;tag=55
            Call-ID: c9@h
            CSeq: 8 INVITE
            Record-Route: <sip:proxy.example.com;lr>
            Content-Length: 0


            """)).Message!;
        Assert.Equal(Fixtures.Crlf("""
            SIP/2.0 180 Ringing
            Via: SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK1;rport=5062;received=192.0.2.7
            To: "Bob \"B\"" <sip:2000@pbx.example.com;user=phone>;x=1;tag=ours
            From: sip:1001@pbx.example.com;tag=55
            Call-ID: c9@h
            CSeq: 8 INVITE
            Record-Route: <sip:proxy.example.com;lr>
            Content-Length: 0


            """), SipMessageFactory.CreateResponse(request, 180, toTag: "ours").ToBytes());
        var ringing = SipMessageFactory.CreateResponse(request, 180, toTag: "ours").BuildResponse();
        Assert.Equal("ours", ringing.To.Tag);
        Assert.Equal("Bob \"B\"", ringing.To.DisplayName);

        // A To that has a tag keeps it; 100 Trying gets none; a folded To is copied as its collapsed text.
        Assert.DoesNotContain(";tag=", System.Text.Encoding.UTF8.GetString(SipMessageFactory.CreateResponse(request, 100).ToBytes()).Split("\r\n")[2], StringComparison.Ordinal);
        var folded = (SipRequest)SipParser.Parse(Fixtures.Crlf("""
            BYE sip:2000@pbx.example.com SIP/2.0
            Via: SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK2
            To: <sip:2000@pbx.example.com>
              ;tag=theirs
            From: <sip:1001@pbx.example.com>;tag=55
            Call-ID: c9@h
            CSeq: 9 BYE
            Content-Length: 0


            """)).Message!;
        Assert.Equal("To: <sip:2000@pbx.example.com> ;tag=theirs",
            System.Text.Encoding.UTF8.GetString(SipMessageFactory.CreateResponse(folded, 200, toTag: "ours").ToBytes()).Split("\r\n")[2]);
    }
}
