using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Media.Phone;
using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Ivr;
using Switchboard.Sip.Messages;

namespace Switchboard.Pbx.Calls;

/// <summary>
/// What the media and the calling side looked like when an input came, read by the loop from its legs: the clock
/// rate of the caller's telephone-event (for a digit's length), and whether the callee is a SIP branch that hears
/// digits only as INFO (it took no telephone-event, so RFC 4733 packets do not reach it).
/// </summary>
internal readonly record struct CallPeers(int CallerDigitClockRate, bool CalleeNeedsInfo)
{
    /// <summary>No telephone-event agreed with the caller (its digits are timed at 8 kHz) and no callee that needs INFO.</summary>
    public static readonly CallPeers None = new(8000, false);
}

/// <summary>One thing that happened to a call, for <see cref="CallCore.Handle"/>.</summary>
internal abstract partial record CallInput
{
    private CallInput()
    {
    }

    public static readonly CallInput CallerHangup = new CallerHangupInput();

    public static readonly CallInput PbxShutdown = new PbxShutdownInput();

    /// <summary>The call's one timer fired: some deadline may be due.</summary>
    public static readonly CallInput Wake = new WakeInput();

    public sealed record CallerHangupInput : CallInput;

    public sealed record PbxShutdownInput : CallInput;

    /// <summary>An administrator ends the call from the portal.</summary>
    public static readonly CallInput AdminHangup = new AdminHangupInput();

    public sealed record AdminHangupInput : CallInput;

    public sealed record WakeInput : CallInput;

    /// <summary>The prompt the IVR asked for could not be played (no such file, an Opus leg): it counts as heard.</summary>
    public static readonly CallInput PromptUnplayable = new PromptUnplayableInput();

    public sealed record PromptUnplayableInput : CallInput;

    /// <summary>The IVR answered the caller with this session (docs/ivr.md); the core owns it from now on.</summary>
    public sealed record StartIvr(IvrSession Session) : CallInput;

    /// <summary>An event of a browser's end, on <paramref name="Side"/>.</summary>
    public sealed record WebMedia(CallSide Side, WebRtcLegEvent Event, CallPeers Peers) : CallInput;

    /// <summary>An event of a phone's RTP end, on <paramref name="Side"/>.</summary>
    public sealed record PhoneMedia(CallSide Side, RtpLegEvent Event, CallPeers Peers) : CallInput;

    /// <summary>
    /// An in-dialog request from <paramref name="From"/> of an answered call. <paramref name="InDialog"/> is the dialog's
    /// verdict on it (CSeq order, RFC 3261 section 12.2.2); <paramref name="OurMedia"/> is what our end on that side
    /// would answer a re-INVITE with (address, port, codec, next session version), null when it is not a phone's end;
    /// <paramref name="WebEnd"/>: that side's end is a browser's (WebRTC), whose re-offer its own session answers.
    /// </summary>
    public sealed record Request(CallSide From, SipRequest Message, bool InDialog, SipAnswerOptions? OurMedia, CallPeers Peers, bool WebEnd = false) : CallInput;

    /// <summary>
    /// The answer to <see cref="CallOutput.AnswerWebReoffer"/>: our SDP answer, or null when the re-offer changes more
    /// than the direction; <paramref name="Offered"/> is the direction the browser asked for.
    /// </summary>
    public sealed record WebReofferAnswered(CallSide Side, string? AnswerSdp, SdpDirection Offered) : CallInput;
}

/// <summary>What the loop must do, in order, after <see cref="CallCore.Handle"/>; the core did none of it itself.</summary>
internal abstract partial record CallOutput
{
    private CallOutput()
    {
    }

    /// <summary>Answer the request being handled, with our SDP when given (a 405 carries <see cref="CallCore.AllowedInDialog"/>).</summary>
    public sealed record Respond(int Status, string? Sdp = null) : CallOutput;

    /// <summary>The peer on this side ended its dialog with BYE: nothing more is sent on it.</summary>
    public sealed record TerminateDialog(CallSide Side) : CallOutput;

    /// <summary>Send the digit to the answered branch as SIP INFO (application/dtmf-relay).</summary>
    public sealed record SendInfo(char Symbol, int Ms) : CallOutput;

    /// <summary>Play the digit on this side's media end as RFC 4733 events, where it can.</summary>
    public sealed record SendDigit(CallSide To, char Symbol, TimeSpan Duration) : CallOutput;

    /// <summary>Point this side's phone end at its re-INVITE's address and terms; our answer carried <paramref name="SessionVersion"/>.</summary>
    public sealed record UpdatePhoneMedia(CallSide Side, IPEndPoint Remote, SdpNegotiatedAudio Audio, ulong SessionVersion) : CallOutput;

    /// <summary>
    /// Let this side's browser session answer its re-offer (same ICE and DTLS, another direction); answer with
    /// <see cref="CallInput.WebReofferAnswered"/>.
    /// </summary>
    public sealed record AnswerWebReoffer(CallSide Side, string OfferSdp) : CallOutput;

    /// <summary>
    /// The other side put the call on hold (<paramref name="Play"/>) or resumed it: <paramref name="To"/> hears the
    /// hold music instead of the holder's audio, or the holder's audio again.
    /// </summary>
    public sealed record HoldMusic(CallSide To, bool Play) : CallOutput;

    /// <summary>Keep the caller's digit for the record.</summary>
    public sealed record RecordDigit(char Symbol, int Ms) : CallOutput;

    /// <summary>Play the IVR's prompt (a file name) on the caller's end; when it cannot, say so with <see cref="CallInput.PromptUnplayable"/>.</summary>
    public sealed record PlayPrompt(string Name) : CallOutput;

    /// <summary>Stop the prompt playing on the caller's end (a key pressed during it, or the IVR is done).</summary>
    public sealed record StopPrompt : CallOutput;

    /// <summary>
    /// A new destination for the answered caller, the call now in Transfer: the IVR chose it (the session is over), or
    /// it is the fallback of a ring group nobody answered. The loop resolves it and rings it.
    /// </summary>
    public sealed record Transfer(string Destination) : CallOutput;

    /// <summary>The caller's first SRTP packet went out: the media set-up took this long.</summary>
    public sealed record RecordSetupTime(TimeSpan Elapsed) : CallOutput;

    /// <summary>The call ends; outputs after this one are not carried out.</summary>
    public sealed record End(CallEnd How) : CallOutput;
}

/// <summary>What one input gave: the outputs to carry out in order, and when the core next wants a <see cref="CallInput.Wake"/>.</summary>
internal readonly record struct CallStep(IReadOnlyList<CallOutput> Outputs, TimeSpan? NextDeadline);

/// <summary>
/// The call's decisions without IO, str0m's shape: change, then drain all outputs. <see cref="Handle"/> is synchronous,
/// reads no clock (time is <c>now</c>, the call's own clock: time since it started) and touches no SIP leg, media end,
/// store or observer; it says what to do as <see cref="CallOutput"/>s, which the call's loop on its shard carries out.
/// It decides the Routing state and a transfer's routing (CallCore.Routing.cs: where a destination goes once the dial
/// plan has answered), the Ringing state (CallCore.Ringing.cs: the branches' answers, the winner, CANCEL of the others, the
/// ring timeout, trunk failover and credentials, a ring group's fallback) and what an answered call decides (the Live
/// state, and the same inputs while the IVR has the caller): hang-ups from either side, in-dialog requests (BYE,
/// re-INVITE hold and resume with the other party's hold music, INFO digits, REFER for a blind transfer in
/// CallCore.Transfer.cs), media events (digits, media timeout, consent lost, a closed peer), the IVR
/// session (its prompts, keys and wake-ups) and the deadlines; and how the call ends (CallCore.Ending.cs). The loop
/// still moves the state itself when a service answers, and to Ended (docs/sip.md, "Threading"), with <see cref="MoveTo"/>.
/// </summary>
internal sealed partial class CallCore(string callId, ILogger log, CallOptions? options = null)
{
    /// <summary>The methods a call's dialogs take, for Allow in a 405 (RFC 3261 section 20.5).</summary>
    public const string AllowedInDialog = "INVITE, ACK, CANCEL, BYE, INFO, REFER";

    private readonly CallOptions _options = options ?? new CallOptions();

    /// <summary>Which sides put the call on hold with their last re-INVITE (indexed by <see cref="CallSide"/>).</summary>
    private readonly bool[] _held = new bool[2];
    private readonly List<CallOutput> _outputs = [];
    private IvrSession? _ivr;
    private bool _ended;

    /// <summary>A Transfer output was given in this step: like an end, it stops the deadlines' turn (the transfer is routed next).</summary>
    private bool _transferring;

    /// <summary>The call's timers; the states the loop still decides set theirs here too.</summary>
    public CallDeadlines Deadlines { get; } = new();

    /// <summary>When the core next wants a <see cref="CallInput.Wake"/>: the earliest deadline, the IVR's key timeout included.</summary>
    public TimeSpan? NextDeadline
    {
        get
        {
            var next = Deadlines.Next;
            return _ivr?.NextWakeUp is { } ivr && (next is null || ivr < next) ? ivr : next;
        }
    }

    public bool IsHeld(CallSide side) => side != CallSide.Pbx && _held[(int)side];

    /// <summary>Where the call is in its life; changed only by <see cref="MoveTo"/>, whose moves <see cref="CallStates.CanMove"/> allows.</summary>
    public CallState State { get; private set; } = CallState.Routing;

    /// <summary>
    /// The only place the state changes: by the core's own decisions, and by the loop for the moves it still makes (a
    /// service answering, Ended once the ending's outputs are carried out). A move <see cref="CallStates.CanMove"/> does
    /// not allow is a bug in the engine.
    /// </summary>
    public void MoveTo(CallState next)
    {
        if (!CallStates.CanMove(State, next))
        {
            throw new InvalidOperationException($"Call {callId}: no transition from {State} to {next}.");
        }

        State = next;
    }

    public CallStep Handle(CallInput input, TimeSpan now)
    {
        _outputs.Clear();
        _ended = false;
        _transferring = false;
        if (HandleRouting(input) || HandleRinging(input, now) || HandleQueue(input, now))
        {
            return new CallStep([.. _outputs], NextDeadline);
        }

        switch (input)
        {
            case CallInput.CallerHangupInput:
                End(CallEndReason.Hangup, CallSide.Caller);
                break;
            case CallInput.PbxShutdownInput:
                // Not an error: the PBX is stopping on purpose, and the caller can call again once it is back.
                End(CallEndReason.Shutdown, CallSide.Pbx);
                break;
            case CallInput.AdminHangupInput:
                End(CallEndReason.AdminHangup, CallSide.Pbx);
                break;
            case CallInput.WakeInput:
                OnWake(now);
                break;
            case CallInput.WebMedia { Side: CallSide.Caller } web:
                OnCallerWebEvent(web.Event, web.Peers, now);
                break;
            case CallInput.WebMedia web:
                OnCalleeWebEvent(web.Event);
                break;
            case CallInput.PhoneMedia phone:
                OnPhoneEvent(phone.Event, phone.Side, phone.Peers, now);
                break;
            case CallInput.Request request:
                OnRequest(request, now);
                break;
            case CallInput.PromptUnplayableInput:
                OnPromptFinished(now);
                break;
            case CallInput.Ending ending:
                OnEnding(ending);
                break;
            case CallInput.WebReofferAnswered answered:
                OnWebReofferAnswered(answered);
                break;
            case CallInput.TransferTargetFound found:
                OnTransferTargetFound(found.Route);
                break;
            case CallInput.TransferorRequest request:
                OnTransferorRequest(request);
                break;
            case CallInput.CallingLegRequest request:
                OnCallingLegRequest(request);
                break;
            case CallInput.StartIvr start:
                // The IVR answered the caller: from now on a transfer rings for a caller who is connected already.
                MoveTo(CallState.Ivr);
                _callerAnswered = true;
                _ivr = start.Session;
                start.Session.Start(now);
                break;
        }

        // Change, then drain: whatever the IVR session asked for after this input, unless the call ended.
        if (!_ended)
        {
            DrainIvr();
        }

        return new CallStep([.. _outputs], NextDeadline);
    }

    /// <summary>Whatever is due now, earliest first; the first that ends the call ends it.</summary>
    private void OnWake(TimeSpan now)
    {
        while (Deadlines.TakeDue(now, out var due))
        {
            switch (due)
            {
                case CallDeadline.Ring:
                    OnRingTimeout();
                    break;
                case CallDeadline.TrunkResponse:
                    OnTrunkSilent();
                    break;
                case CallDeadline.ServiceLimit:
                    End(CallEndReason.RemoteHangup, CallSide.Callee);
                    return;
                default:
                    End(CallEndReason.Error, CallSide.Pbx);
                    return;
            }

            if (_ended || _transferring)
            {
                return;
            }
        }

        if (_ivr is { NextWakeUp: { } ivrDue } session && ivrDue <= now)
        {
            session.Tick(now);
        }
    }

    /// <summary>The IVR session's actions as outputs; a transfer or a hang-up ends the session.</summary>
    private void DrainIvr()
    {
        while (_ivr is { } session && session.TryTakeAction(out var action))
        {
            switch (action.Kind)
            {
                case IvrActionKind.Play:
                    _outputs.Add(new CallOutput.PlayPrompt(action.Argument!));
                    break;
                case IvrActionKind.StopPrompt:
                    _outputs.Add(new CallOutput.StopPrompt());
                    break;
                case IvrActionKind.Transfer:
                    _ivr = null;
                    _outputs.Add(new CallOutput.StopPrompt());
                    TransferTo(action.Argument!);
                    return;
                case IvrActionKind.Hangup:
                    _ivr = null;
                    End(CallEndReason.RemoteHangup, CallSide.Callee);
                    return;
            }
        }
    }

    private void OnCallerWebEvent(WebRtcLegEvent e, CallPeers peers, TimeSpan now)
    {
        switch (e.Kind)
        {
            case WebRtcLegEventKind.Dtmf:
                OnCallerDigit(e.Digit.Symbol, (int)e.Digit.GetDuration(peers.CallerDigitClockRate).TotalMilliseconds, peers, now);
                break;
            case WebRtcLegEventKind.PromptFinished:
                OnPromptFinished(now);
                break;
            case WebRtcLegEventKind.FirstSrtpSent:
                _outputs.Add(new CallOutput.RecordSetupTime(now));
                break;
            case WebRtcLegEventKind.ClosedByPeer:
                End(CallEndReason.Hangup, CallSide.Caller);
                break;
            case WebRtcLegEventKind.ConsentLost:
                // The browser vanished without a hang-up (closed, crashed, network gone): RFC 7675.
                CallEngine.LogMedia(log, callId, "consent lost", e.Detail);
                End(CallEndReason.Hangup, CallSide.Caller);
                break;
            case WebRtcLegEventKind.TransportFailed:
                CallEngine.LogMedia(log, callId, "failed", e.Detail);
                End(CallEndReason.Error, CallSide.Pbx);
                break;
            default:
                CallEngine.LogLegEvent(log, callId, e.Kind);
                break;
        }
    }

    /// <summary>A browser softphone that answered: its media closing (or its consent lost, RFC 7675) is its hang-up.</summary>
    private void OnCalleeWebEvent(WebRtcLegEvent e)
    {
        switch (e.Kind)
        {
            case WebRtcLegEventKind.ClosedByPeer or WebRtcLegEventKind.ConsentLost:
                End(CallEndReason.RemoteHangup, CallSide.Callee);
                break;
            case WebRtcLegEventKind.TransportFailed:
                CallEngine.LogMedia(log, callId, "callee failed", e.Detail);
                End(CallEndReason.Error, CallSide.Pbx);
                break;
        }
    }

    private void OnPhoneEvent(RtpLegEvent e, CallSide side, CallPeers peers, TimeSpan now)
    {
        var fromCallee = side == CallSide.Callee;
        if (State == CallState.Ringing && e.Kind != RtpLegEventKind.MediaTimeout)
        {
            // While a transfer rings, the caller's phone is heard by nobody: only its silence (it left) matters.
            return;
        }

        if (e.Kind == RtpLegEventKind.PromptFinished && !fromCallee)
        {
            OnPromptFinished(now);
        }

        if (e.Kind == RtpLegEventKind.Dtmf && !fromCallee)
        {
            OnCallerDigit(e.Digit.Symbol, (int)e.Digit.GetDuration(peers.CallerDigitClockRate).TotalMilliseconds, peers, now);
        }

        if (e.Kind == RtpLegEventKind.MediaTimeout && IsHeld(side))
        {
            // A phone that put the call on hold may send nothing at all (RFC 3264 section 8.4): silence is no sign it left.
            CallEngine.LogMedia(log, callId, "silent on hold", e.Detail);
        }
        else if (e.Kind == RtpLegEventKind.MediaTimeout)
        {
            // The phone vanished without BYE (power, network, crash): its RTP stopped after it had flowed.
            CallEngine.LogMedia(log, callId, "timeout", e.Detail);
            End(CallEndReason.MediaTimeout, side);
        }
    }

    /// <summary>
    /// A digit from the caller: recorded, and passed on. RFC 4733 packets already crossed the relay where the
    /// callee took telephone-event; otherwise the digit goes as SIP INFO (spec 2.7).
    /// </summary>
    private void OnCallerDigit(char symbol, int ms, CallPeers peers, TimeSpan now)
    {
        _outputs.Add(new CallOutput.RecordDigit(symbol, ms));
        _ivr?.Digit(symbol, now);
        if (peers.CalleeNeedsInfo)
        {
            _outputs.Add(new CallOutput.SendInfo(symbol, ms));
        }
    }

    /// <summary>
    /// An in-dialog request from either side of the answered call: BYE ends it, a re-INVITE is answered for that
    /// side's media, an INFO digit is recorded (from the caller) and played to the other side, a REFER asks for a
    /// blind transfer (CallCore.Transfer.cs).
    /// </summary>
    private void OnRequest(CallInput.Request input, TimeSpan now)
    {
        if (input.Message.Method.Name is not ("BYE" or "INVITE" or "INFO" or "REFER"))
        {
            // RFC 3261 section 8.2.1: a method we do not handle (UPDATE, MESSAGE...) gets 405 with Allow, not a 200
            // that would tell the phone an update was taken. Nothing changes.
            _outputs.Add(new CallOutput.Respond(405));
            return;
        }

        if (State == CallState.Ringing && !_callerAnswered)
        {
            // No dialog yet with the caller: a BYE has none to end (RFC 3261 section 15: the caller CANCELs), anything
            // else changes nothing before the answer; a REFER has no answered call to transfer (RFC 3515 section 2.4.2).
            _outputs.Add(new CallOutput.Respond(input.Message.Method.Name switch { "BYE" => 481, "REFER" => 403, _ => 200 }));
            return;
        }

        if (!input.InDialog)
        {
            // Out of order or outside the dialog (RFC 3261 section 12.2.2): refused, nothing changes.
            _outputs.Add(new CallOutput.Respond(500));
            return;
        }

        var fromCaller = input.From == CallSide.Caller;
        var request = input.Message;
        switch (request.Method.Name)
        {
            case "BYE":
                // RFC 3261 section 15.1.2: the BYE is answered 200 and the dialog is over for both.
                _outputs.Add(new CallOutput.Respond(200));
                _outputs.Add(new CallOutput.TerminateDialog(input.From));
                End(fromCaller ? CallEndReason.Hangup : CallEndReason.RemoteHangup, input.From);
                break;
            case "INVITE" when input.WebEnd:
                // A browser softphone's re-INVITE (phone.htm's hold): its own WebRTC session answers, or refuses it.
                _outputs.Add(new CallOutput.AnswerWebReoffer(input.From, Encoding.UTF8.GetString(request.Body.Span)));
                break;
            case "INVITE":
                OnReinvite(input.From, request, input.OurMedia);
                break;
            case "REFER":
                OnRefer(input);
                break;
            case "INFO":
                _outputs.Add(new CallOutput.Respond(200));
                if (ReadInfoDigit(request) is { } digit)
                {
                    if (fromCaller)
                    {
                        OnCallerDigit(digit.Symbol, digit.Ms, input.Peers, now);
                    }

                    _outputs.Add(new CallOutput.SendDigit(fromCaller ? CallSide.Callee : CallSide.Caller, digit.Symbol, TimeSpan.FromMilliseconds(digit.Ms)));
                }

                break;
        }
    }

    /// <summary>
    /// A phone's re-INVITE (hold, resume, a new address): our answer with the same codec and port, in the direction
    /// that mirrors the offer (RFC 3264 sections 8.4 and 6.1), and its new address followed. A browser softphone's
    /// re-INVITE, or an offer we cannot use, gets 488 and the session stays as it was (RFC 3261 section 14.2).
    /// </summary>
    private void OnReinvite(CallSide side, SipRequest request, SipAnswerOptions? ours)
    {
        if (ours is null || request.Body.IsEmpty ||
            !SdpParser.TryParse(Encoding.UTF8.GetString(request.Body.Span), out var offer, out _) ||
            !SipSdp.TryCreateAnswer(offer, ours, out var answer, out _) ||
            !SipMediaSdp.TryReadOffer(offer, answer, out var remote))
        {
            _outputs.Add(new CallOutput.Respond(488));
            return;
        }

        // A hold with c=0.0.0.0 stops our sending until the resume names the address again (RFC 3264 section 8.4).
        CallEngine.LogHold(log, callId, remote.Hold);
        _outputs.Add(new CallOutput.UpdatePhoneMedia(side, remote.Rtp, answer.Audio, ours.SessionVersion));
        _outputs.Add(new CallOutput.Respond(200, answer.ToText()));
        SetHeld(side, remote.Hold != SdpHoldState.NotHeld);
    }

    /// <summary>
    /// A browser's re-offer answered by its session (200 with our mirrored direction), or refused (488, RFC 3261 section
    /// 14.2: the session stays as it was). sendonly or inactive is its hold (RFC 3264 section 8.4).
    /// </summary>
    private void OnWebReofferAnswered(CallInput.WebReofferAnswered answered)
    {
        if (answered.AnswerSdp is not { } sdp)
        {
            _outputs.Add(new CallOutput.Respond(488));
            return;
        }

        var hold = answered.Offered is SdpDirection.SendOnly or SdpDirection.Inactive;
        CallEngine.LogHold(log, callId, hold ? SdpHoldState.SendOnly : SdpHoldState.NotHeld);
        _outputs.Add(new CallOutput.Respond(200, sdp));
        SetHeld(answered.Side, hold);
    }

    /// <summary>
    /// Whether <paramref name="side"/> holds the call now. In a call between two parties the other one hears the hold
    /// music while it does, and the holder again once it resumes (a held party would otherwise hear silence).
    /// </summary>
    private void SetHeld(CallSide side, bool held)
    {
        if (_held[(int)side] == held)
        {
            return;
        }

        _held[(int)side] = held;
        if (State == CallState.Live && Winner is not null)
        {
            _outputs.Add(new CallOutput.HoldMusic(side == CallSide.Caller ? CallSide.Callee : CallSide.Caller, held));
        }
    }

    /// <summary>The call moves to Transfer (unless it is there already) and the loop rings <paramref name="destination"/>.</summary>
    private void TransferTo(string destination)
    {
        if (State != CallState.Transfer)
        {
            MoveTo(CallState.Transfer);
        }

        _transferring = true;
        _outputs.Add(new CallOutput.Transfer(destination));
    }

    private void End(CallEndReason reason, CallSide by)
    {
        _ended = true;
        _outputs.Add(new CallOutput.End(new CallEnd(reason, by)));
    }

    /// <summary>Reads <c>application/dtmf-relay</c> (Signal=5, Duration=160) or <c>application/dtmf</c> (a bare digit).</summary>
    private static (char Symbol, int Ms)? ReadInfoDigit(SipRequest request)
    {
        var body = Encoding.UTF8.GetString(request.Body.Span);
        var type = request.ContentType ?? "";
        char? symbol = null;
        var ms = 160;
        if (type.StartsWith("application/dtmf-relay", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var line in body.Split('\n'))
            {
                var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
                if (parts.Length != 2)
                {
                    continue;
                }

                if (parts[0].Equals("Signal", StringComparison.OrdinalIgnoreCase) && parts[1].Length == 1)
                {
                    symbol = parts[1][0];
                }
                else if (parts[0].Equals("Duration", StringComparison.OrdinalIgnoreCase) &&
                         int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var d))
                {
                    ms = Math.Clamp(d, 40, 5000);
                }
            }
        }
        else if (type.StartsWith("application/dtmf", StringComparison.OrdinalIgnoreCase) && body.Trim().Length == 1)
        {
            symbol = body.Trim()[0];
        }

        return symbol is { } s && "0123456789*#ABCDabcd".Contains(s, StringComparison.Ordinal) ? (char.ToUpperInvariant(s), ms) : null;
    }
}
