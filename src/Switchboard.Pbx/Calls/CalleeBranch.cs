using System.Globalization;
using System.Text;
using Switchboard.Pbx.Sip;
using Switchboard.Sip.Dialogs;
using Switchboard.Sip.UserAgent;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// One registered contact being rung: the UAC half of the B2BUA, with its own Call-ID and dialog. The call's
/// loop owns it and decides; the endpoint's loop calls the handler methods, which post to the call, except for
/// what must happen after the call has let the branch go: a CANCEL once the first provisional response shows
/// the INVITE arrived (RFC 3261 section 9.1), and ACK plus BYE for a 2xx that raced our CANCEL (section 15).
/// </summary>
internal sealed class CalleeBranch : ISipClientHandler, ISipDialogHandler, ISipLeg
{
    private readonly SipEndpoint _sip;
    /// <summary>What a released branch posts to: nothing (see <see cref="LetGoOfCall"/>).</summary>
    private static readonly Action<CallSipInput> Released = _ => { };

    private Action<CallSipInput> _post;
    private readonly string _contactUser;
    private SipRequest? _invite;
    private string? _from;
    private string? _fromTag;
    private string? _to;
    private string? _offer;
    private IReadOnlyList<(string Name, string Value)> _extraHeaders = [];
    private uint _cseq;
    private bool _retriedWithCredentials;
    private SipDialog? _dialog;
    private SipRequest? _lastAck;
    private int _provisionalSeen;
    private int _abandoned;
    private int _cancelSent;

    public CalleeBranch(SipEndpoint sip, SipContact contact, string contactUser, Action<CallSipInput> post)
    {
        _sip = sip;
        Contact = contact;
        _contactUser = contactUser;
        _post = post;
        CallId = SipIds.NewCallId(sip.Transport.SentBy(contact.Flow.Transport) ?? "switchboard");
    }

    public SipContact Contact { get; }

    public string CallId { get; }

    public bool IsWebRtc => Contact.Flow.Transport is SipTransportKind.Ws or SipTransportKind.Wss || IsWebSocketContact(Contact.Contact);

    /// <summary>
    /// A WebSocket client's Contact carries <c>transport=ws</c> or <c>wss</c> (RFC 7118 section 5.2), wherever the binding
    /// is reached from: another node reaches a browser's binding through the holding node's hop, over UDP, and must
    /// still offer it WebRTC media (docs/scale-out.md, "Calls across nodes").
    /// </summary>
    private static bool IsWebSocketContact(SipUri contact) =>
        string.Equals(contact.Transport, "ws", StringComparison.OrdinalIgnoreCase) || string.Equals(contact.Transport, "wss", StringComparison.OrdinalIgnoreCase);

    public SipDialog? Dialog => _dialog;

    /// <summary>The extension this contact is registered for; null for a trunk. A transfer it asks for is dialled as this extension.</summary>
    public Directory.Extension? Extension { get; init; }

    /// <summary>Set for a call out through a trunk: the branch answers its 401/407 and fails over on 5xx or timeout.</summary>
    public Trunks.Trunk? Trunk { get; init; }

    /// <summary>Sends the INVITE (RFC 3261 section 8.1.1) from <paramref name="from"/> to the contact, with our offer.</summary>
    public void SendInvite(string from, string to, string offerSdp, IReadOnlyList<(string Name, string Value)>? extraHeaders = null)
    {
        _fromTag = SipIds.NewTag();
        _from = $"{from};tag={_fromTag}";
        _to = to;
        _offer = offerSdp;
        _extraHeaders = extraHeaders ?? [];
        _sip.Bind(CallId, _fromTag, this);
        SendInviteNow(null);
    }

    /// <summary>Once, after a carrier's 401/407: the same INVITE with credentials, a new CSeq and branch (RFC 3261 section 22.2).</summary>
    public bool RetryWithCredentials((string Name, string Value) authorization)
    {
        if (_retriedWithCredentials)
        {
            return false;
        }

        _retriedWithCredentials = true;
        Interlocked.Exchange(ref _provisionalSeen, 0);
        SendInviteNow(authorization);
        return true;
    }

    private void SendInviteNow((string Name, string Value)? authorization)
    {
        var flow = Contact.Flow;
        var builder = SipMessageBuilder.Request(SipMethod.Invite, Contact.Contact.ToString())
            .AddHeader(SipHeaderId.Via, _sip.NewVia(flow))
            .AddHeader(SipHeaderId.MaxForwards, "70")
            .AddHeader(SipHeaderId.From, _from!)
            .AddHeader(SipHeaderId.To, _to!)
            .AddHeader(SipHeaderId.CallId, CallId)
            .AddHeader(SipHeaderId.CSeq, $"{++_cseq} INVITE")
            .AddHeader(SipHeaderId.Contact, _sip.ContactFor(flow, _contactUser))
            .AddHeader(SipHeaderId.Allow, SipEndpoint.AllowedMethods)
            .AddHeader("User-Agent", _sip.Product);
        // RFC 3327 section 5.3: a contact registered through proxies that added Path is reached through them, the Path
        // being the request's preloaded Route set (RFC 3261 section 8.1.1.1); CANCEL and the non-2xx ACK copy it.
        // A contact another node holds over a connection is reached through that node's hop, whose Route this node signs
        // for this call (docs/scale-out.md, "Calls across nodes"); other routes go as they are.
        foreach (var route in Contact.Route ?? [])
        {
            builder.AddHeader(SipHeaderId.Route, _sip.HopKey?.SignRoute(route, CallId, Contact.Contact.ToString()) ?? route);
        }

        foreach (var (name, value) in _extraHeaders)
        {
            builder.AddHeader(name, value);
        }

        if (authorization is { } a)
        {
            builder.AddHeader(a.Name, a.Value);
        }

        _invite = builder.SetBody(Encoding.UTF8.GetBytes(_offer!), "application/sdp").BuildRequest();
        _sip.SendRequest(_invite, flow, this);
    }

    /// <summary>The winner's 2xx: the dialog starts and gets its ACK (section 13.2.2.4).</summary>
    public void Acknowledge(SipResponse ok)
    {
        if (_dialog is null && SipDialog.TryCreateAsUac(_invite!, ok, out var dialog))
        {
            _dialog = dialog;
        }

        if (_dialog is null)
        {
            return;
        }

        _lastAck = _dialog.CreateAck(ok, _sip.NewVia(Contact.Flow)).BuildRequest();
        _sip.SendStateless(_lastAck, Contact.Flow);
    }

    /// <summary>Stops ringing this contact: CANCEL now if it has answered provisionally, else when it does.</summary>
    public void Abandon()
    {
        Interlocked.Exchange(ref _abandoned, 1);
        LetGoOfCall();
        if (Volatile.Read(ref _provisionalSeen) == 1)
        {
            SendCancelOnce();
        }
    }

    /// <summary>Stops routing this leg's requests to the call (the dialog is over or never began).</summary>
    public void Forget()
    {
        LetGoOfCall();
        if (_fromTag is not null)
        {
            _sip.Unbind(CallId, _fromTag);
        }

        LetGoOfMessages();
    }

    public void Bye()
    {
        LetGoOfCall();
        if (_dialog is { State: not SipDialogState.Terminated } dialog)
        {
            _sip.SendRequest(dialog.CreateRequest(SipMethod.Bye, _sip.NewVia(Contact.Flow)).BuildRequest(), Contact.Flow, IgnoreResponses.Instance);
            dialog.Terminate();
        }

        _sip.Unbind(CallId, _fromTag!);
        LetGoOfMessages();
    }

    /// <summary>A digit as SIP INFO, for phones that did not offer telephone-event (application/dtmf-relay, as Cisco and most phones read it).</summary>
    public void SendInfo(char digit, int durationMs)
    {
        if (_dialog is not { State: SipDialogState.Confirmed } dialog)
        {
            return;
        }

        var body = $"Signal={digit}\r\nDuration={durationMs.ToString(CultureInfo.InvariantCulture)}\r\n";
        var info = dialog.CreateRequest(SipMethod.Info, _sip.NewVia(Contact.Flow))
            .SetBody(Encoding.UTF8.GetBytes(body), "application/dtmf-relay")
            .BuildRequest();
        _sip.SendRequest(info, Contact.Flow, IgnoreResponses.Instance);
    }

    /// <summary>A NOTIFY of its REFER's progress (<see cref="ReferNotify"/>).</summary>
    public void NotifyRefer(int status, string reason, bool final) =>
        ReferNotify.Send(_sip, _dialog, Contact.Flow, _contactUser, status, reason, final);

    public void Respond(SipServerTransaction tx, int status, string? sdp = null)
    {
        if (tx.Request is not { } request)
        {
            return; // answered already (it lingers, RFC 3261 section 17.2): another response would be ignored
        }

        var builder = SipMessageFactory.CreateResponse(request, status, null, _dialog?.Id.LocalTag ?? SipIds.NewTag());
        if (sdp is not null)
        {
            builder.AddHeader(SipHeaderId.Contact, _sip.ContactFor(Contact.Flow, _contactUser)).SetBody(Encoding.UTF8.GetBytes(sdp), "application/sdp");
        }

        if (status == 405)
        {
            builder.AddHeader(SipHeaderId.Allow, CallCore.AllowedInDialog);
        }

        _sip.SendResponse(tx, builder.BuildResponse());
    }

    public bool Accepts(SipRequest request) => _dialog is null || _dialog.OnRequest(request) == DialogRequestCheck.Accept;

    public void Terminate() => _dialog?.Terminate();

    public void OnResponse(SipClientTransaction transaction, SipResponse response)
    {
        if (transaction.Method != SipMethod.Invite)
        {
            return;
        }

        if (response.IsProvisional)
        {
            Interlocked.Exchange(ref _provisionalSeen, 1);
            if (Volatile.Read(ref _abandoned) == 1)
            {
                SendCancelOnce();
                return;
            }
        }
        else if (response.IsSuccess && Volatile.Read(ref _abandoned) == 1)
        {
            // Answered after we let it go (it crossed our CANCEL): ACK, then BYE at once (section 15, 9.1).
            Acknowledge(response);
            Bye();
            return;
        }

        if (Volatile.Read(ref _abandoned) == 0)
        {
            Volatile.Read(ref _post)(new CallSipInput(this, null, response, Contact.Flow));
        }
        else if (!response.IsProvisional)
        {
            _sip.Unbind(CallId, _fromTag!);
        }
    }

    public void OnRequest(SipServerTransaction? transaction, SipRequest request, SipFlow flow)
    {
        if (Volatile.Read(ref _abandoned) == 1 && transaction is not null)
        {
            _sip.SendResponse(transaction, SipMessageFactory.CreateResponse(request, 481, null, SipIds.NewTag()).BuildResponse());
            return;
        }

        Volatile.Read(ref _post)(new CallSipInput(this, transaction, request, flow));
    }

    public void OnCancel(InviteServerTransaction invite)
    {
        // We are the UAC on this leg: the phone has no INVITE of ours to cancel.
    }

    /// <summary>The phone did not see our ACK and resent its 2xx (RFC 6026 section 8.8): ACK again.</summary>
    public void OnStrayResponse(SipResponse response, SipFlow flow)
    {
        if (Volatile.Read(ref _lastAck) is { } ack)
        {
            _sip.SendStateless(ack, Contact.Flow);
        }
    }

    /// <summary>
    /// The call let this branch go: it no longer reaches the call. The user-agent core keeps the branch as the owner of
    /// its INVITE transaction for 64 x T1 after a 2xx (RFC 6026 section 8.4, Timer M: forked or resent 2xx are still
    /// ACKed), and through the call's post delegate the branch kept the whole ended call alive with it: at 800 calls a
    /// second, 15,000 ended calls (their cores, media owners, mailboxes and dialogs) in the heap of a node under load.
    /// </summary>
    private void LetGoOfCall() => Volatile.Write(ref _post, Released);

    /// <summary>
    /// The call is over for this branch, which lives on only as the owner of its INVITE transaction (64 x T1 after a 2xx,
    /// RFC 6026 section 8.4), and so would keep its INVITE (with the offer and what was parsed from it for the dialog) and
    /// its ACK as long: about 21,000 of each in a node's heap at 800 calls a second. It no longer needs them: unbound, it is
    /// handed no stray 2xx (section 8.8), which is what the ACK was kept for; a 2xx that crossed our CANCEL is ACKed from
    /// the dialog; and a CANCEL or a retry with credentials has no point once a 2xx made the dialog. Without a dialog the
    /// INVITE stays: a 2xx may yet make one.
    /// </summary>
    private void LetGoOfMessages()
    {
        Volatile.Write(ref _lastAck, null);
        if (Volatile.Read(ref _dialog) is not null)
        {
            Volatile.Write(ref _invite, null);
            _offer = null;
        }
    }

    private void SendCancelOnce()
    {
        if (Interlocked.Exchange(ref _cancelSent, 1) == 0 && Volatile.Read(ref _invite) is { } invite)
        {
            _sip.SendRequest(SipMessageFactory.CreateCancel(invite), Contact.Flow, IgnoreResponses.Instance);
        }
    }
}

/// <summary>Where a branch's INVITE is, as the call's core sees it (<see cref="CallCore"/>).</summary>
internal enum BranchState
{
    Calling,

    /// <summary>A provisional response (even 100 Trying) showed the INVITE arrived.</summary>
    Proceeding,
    Ringing,
    Answered,
    Failed,
    Abandoned,
}
