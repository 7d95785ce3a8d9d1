using System.Text;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Tests.Sip;

/// <summary>RFC 4475 invalid requests sent over real UDP to the whole PBX: each is answered 400 with a reason, in a response its sender can parse.</summary>
public sealed class MalformedOverUdpTests
{
    [Theory]
    [InlineData("scalar02", "scalar02.23o0pd9vanlq3wnrlnewofjas9ui32", "0 REGISTER", "Bad Header: CSeq")]
    [InlineData("mismatch01", "mismatch01.dj0234sxdfl3", "8 INVITE", "CSeq Method Mismatch")]
    [InlineData("mismatch02", "mismatch02.dj0234sxdfl3", "8 INVITE", "CSeq Method Mismatch")]
    public async Task An_invalid_request_gets_a_well_formed_400_with_a_reason(string fixture, string callId, string cseq, string reason)
    {
        // RFC 4475 section 3.1.2.4 (scalar02: a CSeq of 2**65, whose 400 carries "0 REGISTER" instead: a CSeq must
        // fit 32 bits) and 3.1.2.12-13 (mismatch01/02: the CSeq method is not the request's, RFC 3261 section 8.2.x).
        await using var pbx = await PbxUnderTest.StartAsync(udp: true);
        await using var phone = await TestPhone.OnUdpAsync(pbx.UdpAddress, "100", PbxUnderTest.Domain, "sip-100");
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Rfc4475", fixture + ".dat"));

        var response = await phone.SendRawAsync(Encoding.ASCII.GetString(bytes));

        Assert.Equal(400, response.StatusCode);
        Assert.Equal(reason, response.ReasonPhrase);
        Assert.Equal(callId, response.CallId);
        Assert.Equal(cseq, response.GetHeaderValue(SipHeaderId.CSeq));
        Assert.NotNull(response.To.Tag);
        Assert.Equal(1, pbx.Endpoint.Counters.BadRequests);
    }
}
