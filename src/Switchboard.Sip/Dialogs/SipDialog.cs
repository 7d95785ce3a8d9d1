using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Dialogs;

/// <summary>Dialog identifier: Call-ID, local tag, remote tag (RFC 3261 section 12).</summary>
public readonly record struct SipDialogId(string CallId, string LocalTag, string RemoteTag)
{
    /// <summary>The id of the dialog an incoming request belongs to, seen from this side (To tag is ours).</summary>
    public static SipDialogId? ForIncoming(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.To.Tag is { } local && request.From.Tag is { } remote ? new SipDialogId(request.CallId, local, remote) : null;
    }

    /// <summary>The id of the dialog a response to our request belongs to (From tag is ours).</summary>
    public static SipDialogId? ForResponse(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.From.Tag is { } local && response.To.Tag is { } remote ? new SipDialogId(response.CallId, local, remote) : null;
    }
}

public enum SipDialogState
{
    Early,
    Confirmed,
    Terminated,
}

/// <summary>Result of checking an in-dialog request from the peer (section 12.2.2).</summary>
public enum DialogRequestCheck
{
    Accept,

    /// <summary>CSeq lower than the last one: answer 500 Server Internal Error.</summary>
    OutOfOrder,
}

/// <summary>
/// Dialog state of RFC 3261 section 12: id, route set, remote target, local and remote sequence numbers;
/// builds in-dialog requests (12.2.1.1) and the ACK for a 2xx (13.2.2.4). Owned by one call leg; not thread-safe.
/// </summary>
public sealed class SipDialog
{
    private SipDialog(SipDialogId id, bool isUac, SipNameAddress local, SipNameAddress remote, SipUri remoteTarget, IReadOnlyList<SipNameAddress> routeSet)
    {
        Id = id;
        IsUac = isUac;
        LocalParty = local;
        RemoteParty = remote;
        RemoteTarget = remoteTarget;
        RouteSet = routeSet;
    }

    public SipDialogId Id { get; }

    public bool IsUac { get; }

    public SipDialogState State { get; private set; }

    /// <summary>Our address with our tag: From of our requests.</summary>
    public SipNameAddress LocalParty { get; }

    /// <summary>The peer's address with its tag: To of our requests.</summary>
    public SipNameAddress RemoteParty { get; }

    /// <summary>Where in-dialog requests go: the peer's Contact (updated by target refreshes).</summary>
    public SipUri RemoteTarget { get; private set; }

    /// <summary>Route set from Record-Route, in the order our requests must carry it.</summary>
    public IReadOnlyList<SipNameAddress> RouteSet { get; private set; }

    /// <summary>CSeq of our last request in the dialog (0 when none yet).</summary>
    public uint LocalSequence { get; private set; }

    /// <summary>CSeq of the peer's last request in the dialog, or null.</summary>
    public uint? RemoteSequence { get; private set; }

    /// <summary>Whether the dialog was set up with a SIPS Request-URI (section 12.1).</summary>
    public bool IsSecure { get; private init; }

    /// <summary>
    /// UAC side (section 12.1.2): a dialog from a 101-199 with a To tag (early) or a 2xx (confirmed) to our request.
    /// False when the response does not create a dialog.
    /// </summary>
    public static bool TryCreateAsUac(SipRequest request, SipResponse response, [NotNullWhen(true)] out SipDialog? dialog)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        dialog = null;
        if (response.StatusCode is <= 100 or >= 300 || response.To.Tag is null || request.From.Tag is null) return false;
        var target = response.Contacts.Count > 0 ? response.Contacts[0].Uri : request.RequestUri;
        var routes = Reversed(response.RecordRoutes);
        dialog = new SipDialog(new SipDialogId(request.CallId, request.From.Tag, response.To.Tag), true, request.From, response.To, target, routes)
        {
            State = response.IsSuccess ? SipDialogState.Confirmed : SipDialogState.Early,
            LocalSequence = request.CSeq.Number,
            IsSecure = request.RequestUri.IsSecure,
        };
        return true;
    }

    /// <summary>UAS side (section 12.1.1): the dialog our 101-299 response (with our To tag) creates.</summary>
    public static SipDialog CreateAsUas(SipRequest request, SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        var localTag = response.To.Tag ?? throw new ArgumentException("The response has no To tag.", nameof(response));
        var remoteTag = request.From.Tag ?? "";
        var target = request.Contacts.Count > 0 ? request.Contacts[0].Uri : request.From.Uri;
        return new SipDialog(new SipDialogId(request.CallId, localTag, remoteTag), false, response.To, request.From, target, [.. request.RecordRoutes])
        {
            State = response.IsSuccess ? SipDialogState.Confirmed : SipDialogState.Early,
            RemoteSequence = request.CSeq.Number,
            IsSecure = request.RequestUri.IsSecure,
        };
    }

    /// <summary>
    /// A response to our INVITE within this dialog: a 2xx confirms an early dialog and, per section 13.2.2.4, recomputes the
    /// route set; a 2xx to a target refresh replaces the remote target (12.2.1.2); a failure to the initial INVITE ends an early dialog.
    /// </summary>
    public void OnResponse(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (State == SipDialogState.Terminated) return;
        if (response.IsSuccess)
        {
            if (State == SipDialogState.Early && IsUac) RouteSet = Reversed(response.RecordRoutes);
            State = SipDialogState.Confirmed;
            if (IsTargetRefresh(response.CSeq.Method) && response.Contacts.Count > 0) RemoteTarget = response.Contacts[0].Uri;
        }
        else if (response.StatusCode >= 300 && State == SipDialogState.Early)
        {
            State = SipDialogState.Terminated;
        }
        else if (response.StatusCode is 481 or 408)
        {
            // 12.2.1.2: a 481 or 408 to an in-dialog request ends the dialog.
            State = SipDialogState.Terminated;
        }
    }

    /// <summary>Checks and records a request from the peer (section 12.2.2): CSeq order and target refresh.</summary>
    public DialogRequestCheck OnRequest(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var method = request.Method;
        if (method != SipMethod.Ack && method != SipMethod.Cancel)
        {
            if (RemoteSequence is { } last && request.CSeq.Number <= last) return DialogRequestCheck.OutOfOrder;
            RemoteSequence = request.CSeq.Number;
        }
        if (IsTargetRefresh(method) && request.Contacts.Count > 0) RemoteTarget = request.Contacts[0].Uri;
        if (method == SipMethod.Bye) State = SipDialogState.Terminated;
        return DialogRequestCheck.Accept;
    }

    public void Terminate() => State = SipDialogState.Terminated;

    /// <summary>
    /// An in-dialog request (section 12.2.1.1): Request-URI and Route from the remote target and route set (loose or strict routing),
    /// To/From/Call-ID of the dialog, the next local CSeq. <paramref name="via"/> is the full Via value with a fresh branch.
    /// </summary>
    public SipMessageBuilder CreateRequest(SipMethod method, string via, string? contact = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method == SipMethod.Ack || method == SipMethod.Cancel)
        {
            throw new ArgumentException("ACK for a 2xx comes from CreateAck; CANCEL from SipMessageFactory.CreateCancel.", nameof(method));
        }
        LocalSequence = LocalSequence == 0 ? (uint)Random.Shared.Next(1, 1 << 16) : LocalSequence + 1;
        return Build(method, via, contact, LocalSequence);
    }

    /// <summary>The ACK for a 2xx to our INVITE (section 13.2.2.4): the INVITE's CSeq number, method ACK, a new branch.</summary>
    public SipMessageBuilder CreateAck(SipResponse okToInvite, string via)
    {
        ArgumentNullException.ThrowIfNull(okToInvite);
        if (!okToInvite.IsSuccess || okToInvite.CSeq.Method != SipMethod.Invite) throw new ArgumentException("Not a 2xx to an INVITE.", nameof(okToInvite));
        return Build(SipMethod.Ack, via, null, okToInvite.CSeq.Number);
    }

    private SipMessageBuilder Build(SipMethod method, string via, string? contact, uint cseq)
    {
        // Strict router: its URI becomes the Request-URI and the remote target goes last in Route (section 12.2.1.1).
        var strict = RouteSet.Count > 0 && !RouteSet[0].Uri.IsLooseRouter;
        var b = SipMessageBuilder.Request(method, strict ? RouteSet[0].Uri.ToString() : RemoteTarget.ToString())
            .AddHeader(SipHeaderId.Via, via)
            .AddHeader(SipHeaderId.MaxForwards, "70");
        for (var i = strict ? 1 : 0; i < RouteSet.Count; i++) b.AddHeader(SipHeaderId.Route, RouteSet[i].ToString());
        if (strict) b.AddHeader(SipHeaderId.Route, $"<{RemoteTarget}>");
        b.AddHeader(SipHeaderId.From, LocalParty.ToString())
            .AddHeader(SipHeaderId.To, RemoteParty.ToString())
            .AddHeader(SipHeaderId.CallId, Id.CallId)
            .AddHeader(SipHeaderId.CSeq, string.Create(CultureInfo.InvariantCulture, $"{cseq} {method.Name}"));
        if (contact is not null) b.AddHeader(SipHeaderId.Contact, contact);
        return b;
    }

    /// <summary>Record-Route in reverse: the UAC's route set (section 12.1.2).</summary>
    private static SipNameAddress[] Reversed(IReadOnlyList<SipNameAddress> recordRoutes)
    {
        if (recordRoutes.Count == 0) return [];
        var routes = new SipNameAddress[recordRoutes.Count];
        for (var i = 0; i < routes.Length; i++) routes[i] = recordRoutes[recordRoutes.Count - 1 - i];
        return routes;
    }

    private static bool IsTargetRefresh(SipMethod method) => method == SipMethod.Invite || method == SipMethod.Update || method == SipMethod.Subscribe || method == SipMethod.Notify || method == SipMethod.Refer;
}
