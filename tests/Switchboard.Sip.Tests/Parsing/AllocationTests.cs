using System.Text;
using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Tests.Parsing;

public class AllocationTests
{
    [Fact]
    public void Parsing_a_typical_invite_allocates_little_and_writing_it_allocates_nothing()
    {
        var invite = Fixtures.Crlf("""
            INVITE sip:2000@pbx.example.com SIP/2.0
            Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport
            Max-Forwards: 70
            To: <sip:2000@pbx.example.com>
            From: "Alice" <sip:1001@pbx.example.com>;tag=1928301774
            Call-ID: a84b4c76e66710@192.0.2.10
            CSeq: 314159 INVITE
            Contact: <sip:1001@192.0.2.10:5060;transport=udp>
            Allow: INVITE, ACK, CANCEL, BYE, OPTIONS
            Supported: replaces, timer
            Content-Type: application/sdp
            Content-Length: 5

            v=0

            """);
        var memory = invite.AsMemory();
        var destination = new byte[2048];
        for (var i = 0; i < 3; i++)
        {
            _ = SipParser.Parse(memory);
        }
        var parsed = SipParser.Parse(memory).Message!;
        SipMessageWriter.TryWrite(parsed, destination, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = SipParser.Parse(memory);
        var parseBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(result.IsSuccess);
        Assert.True(parseBytes < 1024, $"parse allocated {parseBytes} bytes");
        Console.WriteLine($"parse allocated {parseBytes} bytes");
        before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(SipMessageWriter.TryWrite(parsed, destination, out var written));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(Encoding.ASCII.GetString(invite), Encoding.ASCII.GetString(destination, 0, written));
    }
}
