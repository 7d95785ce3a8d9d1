using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Tests.Messages;

public class SipMessageTallyTests
{
    private static SipMessage Parse(string startLine, string method) => SipParser.Parse(Fixtures.Crlf($"""
        {startLine}
        Via: SIP/2.0/UDP phone.lan:5060;branch=z9hG4bK1
        To: <sip:pbx.example.com>
        From: <sip:1001@pbx.example.com>;tag=1
        Call-ID: c1@h
        CSeq: 1 {method}
        Content-Length: 0


        """)).Message!;

    [Fact]
    public void Requests_count_by_method_an_extension_method_as_other_and_responses_by_class()
    {
        var tally = new SipMessageTally();
        tally.Count(Parse("INVITE sip:200@pbx.example.com SIP/2.0", "INVITE"));
        tally.Count(Parse("INVITE sip:200@pbx.example.com SIP/2.0", "INVITE"));
        tally.Count(Parse("PING sip:pbx.example.com SIP/2.0", "PING"));
        tally.Count(Parse("SIP/2.0 100 Trying", "INVITE"));
        tally.Count(Parse("SIP/2.0 401 Unauthorized", "INVITE"));
        tally.Count(Parse("SIP/2.0 699 Whatever", "INVITE"));

        Assert.Equal(2, tally.RequestsOf(SipMethod.Invite));
        Assert.Equal(0, tally.RequestsOf(SipMethod.Bye));
        Assert.Equal(1, tally.Requests.Single(r => r.Method == SipMessageTally.OtherMethod).Count);
        Assert.Equal(15, tally.Requests.Count());
        Assert.Equal(SipMethod.Invite.Name, tally.Requests.First().Method);
        Assert.Equal([("1xx", 1L), ("2xx", 0L), ("3xx", 0L), ("4xx", 1L), ("5xx", 0L), ("6xx", 1L)], tally.Responses.ToArray());
    }

    [Fact]
    public void Counting_allocates_nothing()
    {
        var tally = new SipMessageTally();
        var invite = Parse("INVITE sip:200@pbx.example.com SIP/2.0", "INVITE");
        var ok = Parse("SIP/2.0 200 OK", "INVITE");
        tally.Count(invite);
        tally.Count(ok);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            tally.Count(invite);
            tally.Count(ok);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1001, tally.ResponsesOf(2));
    }
}
