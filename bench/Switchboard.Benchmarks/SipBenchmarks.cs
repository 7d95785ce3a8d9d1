using System.Text;
using BenchmarkDotNet.Attributes;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;

namespace Switchboard.Benchmarks;

/// <summary>Parse and write of a typical INVITE with an SDP offer (about 900 bytes, 12 headers).</summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class SipBenchmarks
{
    internal static readonly byte[] Invite = Encoding.ASCII.GetBytes(
        "INVITE sip:2000@pbx.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: <sip:2000@pbx.example.com>\r\n" +
        "From: \"Alice\" <sip:1001@pbx.example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@192.0.2.10\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:1001@192.0.2.10:5060;transport=udp>\r\n" +
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY\r\n" +
        "Supported: replaces, timer\r\n" +
        "User-Agent: Switchboard-Bench/1.0\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: 000\r\n" +
        "\r\n" +
        "v=0\r\n" +
        "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n" +
        "s=-\r\n" +
        "c=IN IP4 192.0.2.10\r\n" +
        "t=0 0\r\n" +
        "m=audio 49170 RTP/AVP 0 8 9 18 101\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:9 G722/8000\r\n" +
        "a=rtpmap:18 G729/8000\r\n" +
        "a=fmtp:18 annexb=no\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-16\r\n" +
        "a=ptime:20\r\n" +
        "a=maxptime:150\r\n" +
        "a=sendrecv\r\n" +
        "a=rtcp:49171 IN IP4 192.0.2.10\r\n" +
        "a=ssrc:2572652154 cname:b2f0a6c4e8d1@192.0.2.10\r\n" +
        "a=label:main-audio-stream-for-this-call\r\n").FixContentLength();

    private readonly ReadOnlyMemory<byte> _invite = Invite;
    private readonly byte[] _destination = new byte[4096];
    private SipMessage _parsed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var result = SipParser.Parse(_invite);
        _parsed = result.IsSuccess ? result.Message : throw new InvalidOperationException($"{result.Error} {result.Detail}");
    }

    [Benchmark]
    public SipMessage? ParseInvite() => SipParser.Parse(_invite).Message;

    [Benchmark]
    public string ParseInviteAndReadHotHeaders()
    {
        var m = SipParser.Parse(_invite).Message!;
        return m.TopVia.Branch! + m.CallId + m.From.Tag;
    }

    [Benchmark]
    public int WriteInvite()
    {
        SipMessageWriter.TryWrite(_parsed, _destination, out var written);
        return written;
    }
}

internal static class SipBenchmarkText
{
    /// <summary>Puts the real body length into the "Content-Length: 000" placeholder.</summary>
    public static byte[] FixContentLength(this byte[] message)
    {
        var text = Encoding.ASCII.GetString(message);
        var body = text.Length - text.IndexOf("\r\n\r\n", StringComparison.Ordinal) - 4;
        return Encoding.ASCII.GetBytes(text.Replace("Content-Length: 000", $"Content-Length: {body}", StringComparison.Ordinal));
    }
}
