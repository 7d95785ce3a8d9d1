using System.Globalization;

namespace Switchboard.Sip.Messages;

/// <summary>Builds the messages the RFC derives from other messages: responses (8.2.6), CANCEL (9.1), ACK for non-2xx (17.1.1.3).</summary>
public static class SipMessageFactory
{
    /// <summary>
    /// A response to <paramref name="request"/> (RFC 3261 section 8.2.6.2): Via, From, To, Call-ID and CSeq copied;
    /// <paramref name="toTag"/> added to To when To has none (give one for every response except 100).
    /// </summary>
    public static SipMessageBuilder CreateResponse(SipRequest request, int statusCode, string? reasonPhrase = null, string? toTag = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var b = SipMessageBuilder.Response(statusCode, reasonPhrase);
        var tagTo = toTag is not null && !request.HasTag(SipHeaderId.To);
        var entries = request.Entries;
        for (var i = 0; i < entries.Length; i++)
        {
            var id = entries[i].Id;
            switch (id)
            {
                case SipHeaderId.Via:
                case SipHeaderId.From:
                case SipHeaderId.CallId:
                case SipHeaderId.CSeq:
                case SipHeaderId.To:
                case SipHeaderId.RecordRoute when statusCode is > 100 and < 300:
                    // Section 12.1.1: a UAS copies Record-Route into responses that create a dialog. The values are copied
                    // as received (a folded one as its collapsed text); To gets our tag when it has none.
                    var tag = id == SipHeaderId.To && tagTo ? toTag : null;
                    if (request.RawValue(i) is { } raw)
                    {
                        b.AddHeader(id, raw, tag);
                    }
                    else
                    {
                        b.AddHeader(id, tag is null ? request.GetValueString(i) : request.GetValueString(i) + ";tag=" + tag);
                    }

                    break;
            }
        }
        return b;
    }

    /// <summary>The CANCEL for a pending request (RFC 3261 section 9.1).</summary>
    public static SipRequest CreateCancel(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CopyForAckOrCancel(request, SipMethod.Cancel, request.GetHeaderValue(SipHeaderId.To)!).BuildRequest();
    }

    /// <summary>The ACK a client transaction sends for a 300-699 response to an INVITE (RFC 3261 section 17.1.1.3).</summary>
    public static SipRequest CreateAckForFailure(SipRequest invite, SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(invite);
        ArgumentNullException.ThrowIfNull(response);
        return CopyForAckOrCancel(invite, SipMethod.Ack, response.GetHeaderValue(SipHeaderId.To)!).BuildRequest();
    }

    private static SipMessageBuilder CopyForAckOrCancel(SipRequest request, SipMethod method, string to)
    {
        var b = SipMessageBuilder.Request(method, request.RequestUri.ToString())
            .AddHeader(SipHeaderId.Via, request.Vias[0].ToString())
            .AddHeader(SipHeaderId.MaxForwards, "70")
            .AddHeader(SipHeaderId.From, request.GetHeaderValue(SipHeaderId.From)!)
            .AddHeader(SipHeaderId.To, to)
            .AddHeader(SipHeaderId.CallId, request.CallId)
            .AddHeader(SipHeaderId.CSeq, $"{request.CSeq.Number.ToString(CultureInfo.InvariantCulture)} {method.Name}");
        foreach (var route in request.Routes) b.AddHeader(SipHeaderId.Route, route.ToString());
        return b;
    }
}
