using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Media.Sdp;
using Switchboard.Pbx.Registrar;
using Switchboard.Sip.Dialogs;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Parsing;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;
using Switchboard.Sip.UserAgent;

namespace Switchboard.Benchmarks;

/// <summary>
/// One call's SIP work as the PBX does it for the load test's call (docs/benchmarks-sip-load.md), on one thread with
/// no sockets: the real <see cref="SipUserAgentCore"/> (parser, transactions, 2xx retransmission, dialogs), the real
/// digest check (<see cref="SipRequestAuthenticator"/> over the directory cache), and the messages and SDP that
/// Pbx/Calls writes (SipCallerLeg, CalleeBranch, CallMedia), repeated here because those types need a running
/// endpoint. Each received message is copied once, as SipEndpoint.OnReceived does. After the BYE the clock moves on
/// 64 s and the core ticks, so every transaction of the call ends inside the measured call.
/// </summary>
internal sealed class CallSipWork : ISipUserAgentHost, ISipDialogHandler, ISipClientHandler
{
    private const string Product = "Switchboard";
    private const string AllowedMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER";

    private static readonly IPAddress Loopback = IPAddress.Loopback;
    private static readonly IPEndPoint Local = new(Loopback, 5060);
    private static readonly SipFlow CallerFlow = new(SipTransportKind.Udp, Local, new IPEndPoint(Loopback, 5061));
    private static readonly SipFlow CalleeFlow = new(SipTransportKind.Udp, Local, new IPEndPoint(Loopback, 6001));
    private static readonly IReadOnlyList<SdpCodec> Codecs = [SdpCodec.Pcmu, SdpCodec.Pcma];

    private readonly SipUserAgentCore _core;
    private readonly SipRequestAuthenticator _authenticator;
    private readonly CallSipPeers _peers = new();
    private readonly ManualClock _clock = new();
    private SipMessage? _lastToCaller;
    private SipMessage? _lastToCallee;

    // The call.
    private InviteServerTransaction? _callerInvite;
    private SipRequest? _callerRequest;
    private string _callerTag = "";
    private SipDialog? _callerDialog;
    private string? _answerSdp;
    private string _calleeCallId = "";
    private SipRequest? _calleeInvite;
    private SipDialog? _calleeDialog;
    private bool _calleeByeAnswered;

    public CallSipWork(SipRequestAuthenticator authenticator)
    {
        _authenticator = authenticator;
        _core = new SipUserAgentCore(this, new SipUserAgentOptions { AllowedMethods = AllowedMethods, Product = Product });
    }

    /// <summary>Called after each step of the call with its name (the stage breakdown of <c>--stages</c>).</summary>
    public Action<string>? Step { get; set; }

    /// <summary>The whole call: INVITE, 401, ACK, INVITE with digest, 100, 180, INVITE out, 200 in, ACK out, 200, ACK in, BYE in, 200, BYE out, 200 in.</summary>
    public void OneCall()
    {
        _calleeByeAnswered = false;
        _peers.CallerInvite();
        Receive(_peers.Written, CallerFlow);
        Step?.Invoke("INVITE in, 100 and 401 out");
        var challenge = (SipResponse)_lastToCaller!;
        Expect(challenge.StatusCode == 401, "401 to the first INVITE");

        _peers.CallerAckFor401(challenge);
        Receive(_peers.Written, CallerFlow);
        Step?.Invoke("ACK of the 401 in");
        _peers.CallerInviteWithCredentials(challenge);
        Receive(_peers.Written, CallerFlow);
        Step?.Invoke("INVITE with digest in: 100, SDP, INVITE out, 180");
        Expect(_calleeInvite is not null && ReferenceEquals(_lastToCallee, _calleeInvite), "INVITE to the callee");

        _peers.CalleeOk(_calleeInvite!, withAnswer: true);
        Receive(_peers.Written, CalleeFlow);
        Step?.Invoke("200 in: SDP, ACK out, 200 out");
        Expect(_lastToCaller is SipResponse { StatusCode: 200 }, "200 to the caller");
        var ok = (SipResponse)_lastToCaller!;

        _peers.CallerInDialog(ok, bye: false);
        Receive(_peers.Written, CallerFlow);
        Step?.Invoke("ACK in");
        _peers.CallerInDialog(ok, bye: true);
        Receive(_peers.Written, CallerFlow);
        Step?.Invoke("BYE in, 200 and BYE out");
        Expect(_lastToCallee is SipRequest { Method.Name: "BYE" }, "BYE to the callee");

        _peers.CalleeOk((SipRequest)_lastToCallee!, withAnswer: false);
        Receive(_peers.Written, CalleeFlow);
        Step?.Invoke("200 to the BYE in");
        Expect(_calleeByeAnswered, "200 to our BYE");

        _clock.Advance(TimeSpan.FromSeconds(64));
        _core.Tick(_clock.Now);
        Step?.Invoke("64 s later: transactions end");
        Expect(_core.ClientTransactions == 0 && _core.ServerTransactions == 0 && _core.PendingOks == 0, "every transaction ended");
    }

    private void Receive(ReadOnlySpan<byte> datagram, SipFlow flow) =>
        _core.Receive(datagram.ToArray(), flow, _clock.Now);

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("The benchmark call went wrong: " + what);
        }
    }

    void ISipUserAgentHost.Send(in SipFlow flow, SipMessage message)
    {
        if (flow.Remote.Port == CallerFlow.Remote.Port)
        {
            _lastToCaller = message;
        }
        else
        {
            _lastToCallee = message;
        }
    }

    ISipDialogHandler? ISipUserAgentHost.FindDialog(string callId, string localTag) =>
        callId == _callerRequest?.CallId || callId == _calleeCallId ? this : null;

    void ISipUserAgentHost.OnNewRequest(SipServerTransaction transaction, SipRequest request, SipFlow flow)
    {
        // SipEndpoint.AcceptInviteAsync: the directory is cached, so the check completes at once.
        var pending = _authenticator.AuthenticateAsync(request, flow, CancellationToken.None);
        var decision = pending.GetAwaiter().GetResult();
        Expect(pending.IsCompletedSuccessfully, "the digest check answered from the cache: " + decision);
        if (decision is SipAuthResult.Challenge challenge)
        {
            _core.SendResponse(transaction, challenge.Challenge401, _clock.Now);
            return;
        }

        Expect(decision is SipAuthResult.Authenticated, "the caller authenticated");
        StartCall((InviteServerTransaction)transaction, request);
    }

    void ISipUserAgentHost.OnMalformed(in SipFlow flow, SipParseResult parsed, bool answered) =>
        throw new InvalidOperationException($"Malformed: {parsed.Error} {parsed.Detail}");

    /// <summary>CallEngine.OnInvite, CallMedia.TryCreateCaller and TryOffer, CalleeBranch.SendInvite, SipCallerLeg.OnRinging.</summary>
    private void StartCall(InviteServerTransaction tx, SipRequest invite)
    {
        _callerInvite = tx;
        _callerRequest = invite;
        _callerTag = SipIds.NewTag();
        _callerDialog = null;

        var offerText = Encoding.UTF8.GetString(invite.Body.Span);
        Expect(SdpParser.TryParse(offerText, out var offer, out _), "the caller's offer parses");
        var options = new SipAnswerOptions { Address = Loopback, Port = 20000, SessionId = 1, Codecs = Codecs };
        Expect(SipSdp.TryCreateAnswer(offer!, options, out var answer, out _) && SipMediaSdp.TryReadOffer(offer!, answer!, out _), "an answer");
        _answerSdp = answer!.ToText();

        var ourOffer = SdpWriter.Write(SipMediaSdp.CreateOffer(Loopback, 20002, [answer.Audio.Codec.Codec], 2, 1));
        _calleeCallId = SipIds.NewCallId("127.0.0.1:5060");
        var fromTag = SipIds.NewTag();
        var from = $"\"Caller 2000\" <sip:2000@load.test>;tag={fromTag}";
        _calleeInvite = SipMessageBuilder.Request(SipMethod.Invite, "sip:1000@127.0.0.1:6001")
            .AddHeader(SipHeaderId.Via, NewVia())
            .AddHeader(SipHeaderId.MaxForwards, "70")
            .AddHeader(SipHeaderId.From, from)
            .AddHeader(SipHeaderId.To, "<sip:1000@load.test>")
            .AddHeader(SipHeaderId.CallId, _calleeCallId)
            .AddHeader(SipHeaderId.CSeq, "1 INVITE")
            .AddHeader(SipHeaderId.Contact, ContactFor("switchboard"))
            .AddHeader(SipHeaderId.Allow, AllowedMethods)
            .AddHeader("User-Agent", Product)
            .SetBody(Encoding.UTF8.GetBytes(ourOffer), "application/sdp")
            .BuildRequest();
        _core.SendRequest(_calleeInvite, CalleeFlow, this, _clock.Now);
        _core.SendResponse(tx, CallerResponse(180).BuildResponse(), _clock.Now);
    }

    /// <summary>CalleeBranch.OnResponse, CallMedia.TryAnswer, CalleeBranch.Acknowledge, SipCallerLeg.OnConnected.</summary>
    void ISipClientHandler.OnResponse(SipClientTransaction transaction, SipResponse response)
    {
        if (transaction.Method == SipMethod.Bye)
        {
            _calleeByeAnswered = response.IsSuccess;
            return;
        }

        if (!response.IsSuccess)
        {
            return;
        }

        var answerText = Encoding.UTF8.GetString(response.Body.Span);
        Expect(SdpParser.TryParse(answerText, out var answer, out _) && SipMediaSdp.TryReadAnswer(answer!, [SdpCodec.Pcmu], out _), "the callee's answer");
        Expect(SipDialog.TryCreateAsUac(_calleeInvite!, response, out _calleeDialog), "the callee's dialog");
        _core.SendStateless(_calleeDialog!.CreateAck(response, NewVia()).BuildRequest(), CalleeFlow);

        var ok = CallerResponse(200)
            .AddHeader(SipHeaderId.Contact, ContactFor("switchboard"))
            .AddHeader(SipHeaderId.Allow, AllowedMethods)
            .SetBody(Encoding.UTF8.GetBytes(_answerSdp!), "application/sdp")
            .BuildResponse();
        _callerDialog = SipDialog.CreateAsUas(_callerRequest!, ok);
        _core.SendResponse(_callerInvite!, ok, _clock.Now);
    }

    /// <summary>SipCallerLeg.Accepts and OnRequest, then the call: 200 to the BYE, CalleeBranch.Bye.</summary>
    void ISipDialogHandler.OnRequest(SipServerTransaction? transaction, SipRequest request, SipFlow flow)
    {
        Expect(_callerDialog is not null && _callerDialog.OnRequest(request) == DialogRequestCheck.Accept, "an in-dialog request");
        if (request.Method != SipMethod.Bye)
        {
            return;
        }

        _core.SendResponse(transaction!, SipMessageFactory.CreateResponse(request, 200, null, _callerTag).BuildResponse(), _clock.Now);
        var bye = _calleeDialog!.CreateRequest(SipMethod.Bye, NewVia()).BuildRequest();
        _calleeDialog.Terminate();
        _core.SendRequest(bye, CalleeFlow, this, _clock.Now);
    }

    void ISipDialogHandler.OnCancel(InviteServerTransaction invite) => throw new InvalidOperationException("No CANCEL in this call.");

    void ISipDialogHandler.OnStrayResponse(SipResponse response, SipFlow flow) => throw new InvalidOperationException("No stray response in this call.");

    private SipMessageBuilder CallerResponse(int status) =>
        SipMessageFactory.CreateResponse(_callerRequest!, status, null, _callerTag).AddHeader("Server", Product);

    private static string NewVia() => SipVia.Format("UDP", "127.0.0.1:5060", SipIds.NewBranch(), rport: true);

    private static string ContactFor(string user) => $"<sip:{user}@127.0.0.1:5060>";

    /// <summary>A clock the benchmark moves: the call's transactions' timers run out when it jumps.</summary>
    private sealed class ManualClock
    {
        public DateTimeOffset Now { get; private set; } = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

        public void Advance(TimeSpan by) => Now += by;
    }
}
