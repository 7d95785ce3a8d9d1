using System.Globalization;
using System.Net;
using System.Text;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;

namespace Switchboard.SipLoad;

/// <summary>The few messages the load phones build, from the SIP core's builder and digest client.</summary>
internal static class LoadSip
{
    /// <summary>An SDP offer/answer for PCMU only. The port is never used: this test sends no RTP.</summary>
    public static readonly byte[] PcmuSdp = Encoding.ASCII.GetBytes(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n");

    public static string Via(IPEndPoint local) => SipVia.Format("UDP", local.ToString(), SipIds.NewBranch(), rport: true);

    public static string Contact(string user, IPEndPoint local) => $"<sip:{user}@{local}>";

    /// <summary>An out-of-dialog request (RFC 3261 section 8.1.1) from <paramref name="user"/>.</summary>
    public static SipMessageBuilder NewRequest(SipMethod method, string uri, string to, string user, string domain, IPEndPoint local, string callId, uint cseq) =>
        SipMessageBuilder.Request(method, uri)
            .AddHeader(SipHeaderId.Via, Via(local))
            .AddHeader(SipHeaderId.MaxForwards, "70")
            .AddHeader(SipHeaderId.From, $"<sip:{user}@{domain}>;tag={SipIds.NewTag()}")
            .AddHeader(SipHeaderId.To, to)
            .AddHeader(SipHeaderId.CallId, callId)
            .AddHeader(SipHeaderId.CSeq, $"{cseq.ToString(CultureInfo.InvariantCulture)} {method.Name}");

    /// <summary>
    /// The request again with credentials for the first challenge of a 401 (RFC 3261 section 22.2, RFC 8760),
    /// on a new branch and the next CSeq (section 8.1.3.5); null when the 401 carries no usable challenge.
    /// </summary>
    public static SipRequest? WithDigest(SipRequest request, SipResponse unauthorized, string user, string password, IPEndPoint local)
    {
        var challenges = unauthorized.GetDigestChallenges(proxy: false);
        if (challenges.Count == 0)
        {
            return null;
        }

        var credentials = DigestClient.Answer(challenges[0], user, password, request.Method.Name, request.RequestUri.ToString(), SipIds.NewTag(), 1);
        return request.ToBuilder()
            .SetHeader(SipHeaderId.Via, Via(local))
            .SetHeader(SipHeaderId.CSeq, $"{(request.CSeq.Number + 1).ToString(CultureInfo.InvariantCulture)} {request.Method.Name}")
            .AddHeader("Authorization", credentials.ToHeaderValue())
            .BuildRequest();
    }
}
