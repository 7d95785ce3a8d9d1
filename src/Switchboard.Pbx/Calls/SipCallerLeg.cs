using System.Text;
using Switchboard.Pbx.Sip;
using Switchboard.Sip.Dialogs;
using Switchboard.Sip.UserAgent;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// The calling phone's side of a call: the UAS half of the B2BUA. It turns the call's progress into SIP
/// responses on the phone's INVITE (180, 200 with our SDP, or the final error), sends BYE when the far side
/// ends an answered call, and passes the phone's in-dialog requests (ACK, BYE, re-INVITE, INFO) and its
/// CANCEL into the call's mailbox. The call's loop calls the observer methods; the endpoint's loop calls
/// the handler methods, which only post.
/// </summary>
internal sealed class SipCallerLeg : ICallObserver, ISipDialogHandler, ISipLeg
{
    private readonly SipEndpoint _sip;
    private readonly SipInvite _invite;
    private readonly string _contactUser;
    private readonly Action<CallSipInput> _post;
    private readonly string _localTag = SipIds.NewTag();
    private string? _answerSdp;
    private SipDialog? _dialog;
    private bool _finalSent;

    public SipCallerLeg(SipEndpoint sip, SipInvite invite, string contactUser, Action<CallSipInput> post)
    {
        _sip = sip;
        _invite = invite;
        _contactUser = contactUser;
        _post = post;
        sip.Bind(invite.Request.CallId, _localTag, this);
        sip.Bind(invite.Request.CallId, "", this);
    }

    public SipInvite Invite => _invite;

    public ValueTask OnTryingAsync(string callId) => ValueTask.CompletedTask;

    public ValueTask OnRingingAsync()
    {
        if (!_finalSent)
        {
            _sip.SendResponse(_invite.Transaction, Response(180).BuildResponse());
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnAnswerSdpAsync(string sdp)
    {
        _answerSdp = sdp;
        return ValueTask.CompletedTask;
    }

    /// <summary>The far side answered: 200 with our answer (RFC 3261 section 13.3.1.4); the dialog starts.</summary>
    public ValueTask OnConnectedAsync()
    {
        if (_finalSent)
        {
            return ValueTask.CompletedTask;
        }

        var ok = Response(200)
            .AddHeader(SipHeaderId.Contact, _sip.ContactFor(_invite.Flow, _contactUser))
            .AddHeader(SipHeaderId.Allow, SipEndpoint.AllowedMethods)
            .SetBody(Encoding.UTF8.GetBytes(_answerSdp ?? ""), "application/sdp")
            .BuildResponse();
        _dialog = SipDialog.CreateAsUas(_invite.Request, ok);
        _finalSent = true;
        _sip.SendResponse(_invite.Transaction, ok);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnEndedAsync(CallEndReason reason)
    {
        if (!_finalSent)
        {
            _finalSent = true;
            var status = StatusFor(reason);
            _sip.SendResponse(_invite.Transaction, Response(status).BuildResponse());
        }
        else if (reason != CallEndReason.Hangup && _dialog is { State: not SipDialogState.Terminated } dialog)
        {
            // The far side (or the PBX) ended an answered call: tell the phone (section 15.1.1).
            SendInDialog(dialog, SipMethod.Bye);
            dialog.Terminate();
        }

        Unbind();
        return ValueTask.CompletedTask;
    }

    public void Respond(SipServerTransaction tx, int status, string? sdp = null)
    {
        if (tx.Request is not { } request)
        {
            return; // answered already (it lingers, RFC 3261 section 17.2): another response would be ignored
        }

        var builder = SipMessageFactory.CreateResponse(request, status, null, _localTag);
        if (sdp is not null)
        {
            builder.AddHeader(SipHeaderId.Contact, _sip.ContactFor(_invite.Flow, _contactUser)).SetBody(Encoding.UTF8.GetBytes(sdp), "application/sdp");
        }

        if (status == 405)
        {
            builder.AddHeader(SipHeaderId.Allow, CallCore.AllowedInDialog);
        }

        _sip.SendResponse(tx, builder.BuildResponse());
    }

    /// <summary>A NOTIFY of the REFER this phone sent to transfer the call it placed (<see cref="ReferNotify"/>).</summary>
    public void NotifyRefer(int status, string reason, bool final) =>
        ReferNotify.Send(_sip, _dialog, _invite.Flow, _contactUser, status, reason, final);

    /// <summary>
    /// The phone's transfer is over for it: BYE once the target answered or took the call (RFC 5589 section 6), or only
    /// forgotten after its own BYE. Its requests get 481 from the endpoint from now on.
    /// </summary>
    public void Release(BranchRelease how)
    {
        if (how == BranchRelease.Bye && _dialog is { State: not SipDialogState.Terminated } dialog)
        {
            SendInDialog(dialog, SipMethod.Bye);
        }

        _dialog?.Terminate();
        Unbind();
    }

    public bool Accepts(SipRequest request) => _dialog is null || _dialog.OnRequest(request) == DialogRequestCheck.Accept;

    public void Terminate() => _dialog?.Terminate();

    public void OnRequest(SipServerTransaction? transaction, SipRequest request, SipFlow flow) =>
        _post(new CallSipInput(null, transaction, request, flow));

    public void OnCancel(InviteServerTransaction invite) => _post(new CallSipInput(null, null, null, _invite.Flow) { Cancelled = true });

    public void OnStrayResponse(SipResponse response, SipFlow flow)
    {
        // We send no INVITE on this leg, so there is no 2xx of ours to re-ACK.
    }

    /// <summary>The endpoint stops routing this call's requests here: its dialog, and the early one without a tag.</summary>
    private void Unbind()
    {
        _sip.Unbind(_invite.Request.CallId, _localTag);
        _sip.Unbind(_invite.Request.CallId, "");
    }

    private void SendInDialog(SipDialog dialog, SipMethod method)
    {
        var request = dialog.CreateRequest(method, _sip.NewVia(_invite.Flow)).BuildRequest();
        _sip.SendRequest(request, _invite.Flow, IgnoreResponses.Instance);
    }

    private SipMessageBuilder Response(int status) =>
        SipMessageFactory.CreateResponse(_invite.Request, status, null, _localTag).AddHeader("Server", _sip.Product);

    /// <summary>The SIP status that tells a phone why its call failed (RFC 3261 section 21).</summary>
    internal static int StatusFor(CallEndReason reason) => reason switch
    {
        CallEndReason.Hangup => 487,
        CallEndReason.NotFound => 404,
        CallEndReason.NotPermitted => 403,
        CallEndReason.Unauthorized => 403,
        CallEndReason.Busy => 486,
        CallEndReason.NoAnswer => 480,
        CallEndReason.Declined => 603,
        CallEndReason.Unavailable => 480,
        CallEndReason.BadOffer => 488,

        // Ended on purpose by an administrator before it was answered: not a server error.
        CallEndReason.AdminHangup => 480,
        _ => 500,
    };
}

/// <summary>For requests whose answer changes nothing (a BYE when the call is already over).</summary>
internal sealed class IgnoreResponses : ISipClientHandler
{
    public static readonly IgnoreResponses Instance = new();

    public void OnResponse(SipClientTransaction transaction, SipResponse response)
    {
    }
}

/// <summary>A SIP event for the call's mailbox: from a callee branch (<see cref="Branch"/> set) or from the calling phone.</summary>
internal sealed record CallSipInput(CalleeBranch? Branch, SipServerTransaction? Transaction, SipMessage? Message, SipFlow Flow)
{
    /// <summary>The calling phone sent CANCEL.</summary>
    public bool Cancelled { get; init; }
}
