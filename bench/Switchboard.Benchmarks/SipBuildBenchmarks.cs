using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;

namespace Switchboard.Benchmarks;

/// <summary>
/// Writing a message the PBX sends (a 200 OK to the benchmark INVITE, with an SDP answer): the builder's bytes,
/// against the way it wrote them before (StringBuilder, then a string, then UTF-8 bytes, then one more copy), kept
/// here as the baseline so the ratio comes from one run.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class SipBuildBenchmarks
{
    private SipMessageBuilder _ok = null!;

    [GlobalSetup]
    public void Setup()
    {
        var invite = (SipRequest)SipParser.Parse(SipBenchmarks.Invite).Message!;
        _ok = SipMessageFactory.CreateResponse(invite, 200, null, "as83kd9bs")
            .AddHeader(SipHeaderId.Contact, "<sip:2000@198.51.100.7:5060;transport=udp>")
            .SetBody(Encoding.ASCII.GetBytes("v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n"), "application/sdp");
    }

    [Benchmark(Baseline = true)]
    public byte[] StringBuilderThenUtf8() => StringBuilderToBytes(_ok);

    [Benchmark]
    public byte[] StraightIntoOneArray() => _ok.ToBytes();

    /// <summary>The builder's ToBytes as it was until 2026-12-07.</summary>
    private static byte[] StringBuilderToBytes(SipMessageBuilder builder)
    {
        var sb = new StringBuilder(256);
        if (builder.Method is not null)
        {
            sb.Append(builder.Method.Name).Append(' ').Append(builder.RequestUri).Append(" SIP/2.0\r\n");
        }
        else
        {
            sb.Append("SIP/2.0 ").Append(builder.StatusCode.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(builder.ReasonPhrase).Append("\r\n");
        }

        foreach (var h in builder.HeaderFields)
        {
            if (SipHeaderNames.Identify(h.Key) == SipHeaderId.ContentLength) continue;
            var id = SipHeaderNames.Identify(h.Key);
            sb.Append(id == SipHeaderId.Unknown ? h.Key : SipHeaderNames.GetName(id)).Append(": ").Append(h.Value).Append("\r\n");
        }

        sb.Append("Content-Length: ").Append(builder.Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        var head = Encoding.UTF8.GetBytes(sb.ToString());
        var result = new byte[head.Length + builder.Body.Length];
        head.CopyTo(result, 0);
        builder.Body.Span.CopyTo(result.AsSpan(head.Length));
        return result;
    }
}
