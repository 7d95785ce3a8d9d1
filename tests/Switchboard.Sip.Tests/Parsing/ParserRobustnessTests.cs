using Switchboard.Sip.Parsing;

namespace Switchboard.Sip.Tests.Parsing;

public class ParserRobustnessTests
{
    private static readonly string[] Pieces =
    [
        "INVITE ", "SIP/2.0", " ", "\r\n", "\n", "\r", ":", ";", ",", "\"", "\\", "<", ">", "@", "sip:", "sips:", "[", "]", "::",
        "Via: ", "v:", "SIP/2.0/UDP ", "branch=", "z9hG4bK", "From: ", "To: ", "tag=", "Call-ID: ", "CSeq: ", "Contact: ", "*",
        "Content-Length: ", "l: ", "0", "5", "99999999999", "-1", " \t ", "\r\n ", "\r\n\r\n", "%", "%4", "%41", "\u00e9", "\0",
    ];

    [Fact]
    public void Random_token_soup_never_throws_from_parser_framer_or_accessors()
    {
        var rng = new Random(4475);
        var framer = new SipStreamFramer();
        for (var n = 0; n < 20_000; n++)
        {
            var sb = new System.Text.StringBuilder();
            var count = rng.Next(1, 60);
            for (var i = 0; i < count; i++) sb.Append(Pieces[rng.Next(Pieces.Length)]);
            var bytes = System.Text.Encoding.UTF8.GetBytes(sb.ToString());
            foreach (var framing in new[] { SipTransportFraming.Datagram, SipTransportFraming.Stream })
            {
                var r = SipParser.Parse(bytes, framing: framing);
                if (r.IsSuccess)
                {
                    var m = r.Message;
                    _ = (m.Vias, m.From, m.To, m.CallId, m.Contacts, m.Routes, m.RecordRoutes, m.Headers.Count);
                    _ = SipMessageWriter.ToArray(m);
                }
                else
                {
                    _ = (r.StatusCode, r.ReasonPhrase);
                    r.TryCreateErrorResponse("t", out _);
                }
            }
            _ = framer.Scan(bytes);
        }
    }
}
