using System.Globalization;
using System.Text;
using Switchboard.MediaLoad.Pump;
using Switchboard.Sip.Dialogs;
using Switchboard.Sip.Messages;
using Switchboard.SipLoad;

namespace Switchboard.MediaLoad.Sip;

/// <summary>
/// Phone A of the plain-RTP mode: one registered extension placing every call from one socket. INVITE with a PCMU
/// offer naming the call's own RTP endpoint, the digest challenge answered (RFC 3261 section 22.2), ACK, and at the
/// end BYE on the dialog.
/// </summary>
internal sealed class SipCaller(SipPhone phone, PumpSet pumps, string domain, string user, string password)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Places one call to <paramref name="callee"/>; the dialog once answered and media started, else the reason.</summary>
    public async Task<(PhoneCall? Call, string? Failure)> CallAsync(string callee, CancellationToken ct)
    {
        var endpoint = pumps.Add(new PlainRtpEndpoint(sendDirection: 0));
        var (call, failure) = await InviteAsync(callee, endpoint, ct);
        if (failure is not null)
        {
            endpoint.Stop();
        }

        return (call, failure);
    }

    /// <summary>BYE on the dialog once the stream is silent; true when answered 2xx.</summary>
    public async Task<bool> HangUpAsync(PhoneCall call, CancellationToken ct)
    {
        call.Media.Stop();
        var bye = call.Dialog.CreateRequest(SipMethod.Bye, LoadSip.Via(phone.Local)).BuildRequest();
        var response = await phone.RequestAsync(bye, StepTimeout, ct);
        return response?.IsSuccess == true;
    }

    private async Task<(PhoneCall? Call, string? Failure)> InviteAsync(string callee, PlainRtpEndpoint endpoint, CancellationToken ct)
    {
        var invite = LoadSip.NewRequest(SipMethod.Invite, $"sip:{callee}@{domain}", $"<sip:{callee}@{domain}>", user, domain, phone.Local, SipIds.NewCallId("mload"), 1)
            .AddHeader(SipHeaderId.Contact, LoadSip.Contact(user, phone.Local))
            .SetBody(PlainSdp.Pcmu(endpoint.Local.Port), "application/sdp")
            .BuildRequest();
        var response = await phone.RequestAsync(invite, StepTimeout, ct);
        if (response?.StatusCode == 401)
        {
            phone.Send(SipMessageFactory.CreateAckForFailure(invite, response), phone.Pbx);
            if (LoadSip.WithDigest(invite, response, user, password, phone.Local) is not { } retry)
            {
                return (null, "401 without a challenge");
            }

            invite = retry;
            response = await phone.RequestAsync(invite, StepTimeout, ct);
        }

        if (response is null)
        {
            return (null, "no final answer to INVITE");
        }

        if (!response.IsSuccess)
        {
            phone.Send(SipMessageFactory.CreateAckForFailure(invite, response), phone.Pbx);
            return (null, "INVITE answered " + response.StatusCode.ToString(CultureInfo.InvariantCulture));
        }

        if (!SipDialog.TryCreateAsUac(invite, response, out var dialog))
        {
            return (null, "200 that makes no dialog");
        }

        phone.Send(dialog.CreateAck(response, LoadSip.Via(phone.Local)).BuildRequest(), phone.Pbx);
        if (!PlainSdp.TryReadAudio(Encoding.UTF8.GetString(response.Body.Span), out var relay))
        {
            return (new PhoneCall(dialog, endpoint), "answer without a usable audio line");
        }

        endpoint.ConnectTo(relay);
        endpoint.Sending = true;
        return (new PhoneCall(dialog, endpoint), null);
    }
}

/// <summary>A call phone A placed: its dialog and its RTP stream.</summary>
internal sealed record PhoneCall(SipDialog Dialog, PlainRtpEndpoint Media);
