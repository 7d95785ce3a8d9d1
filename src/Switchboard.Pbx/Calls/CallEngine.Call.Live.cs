using System.Globalization;
using System.Text;
using Switchboard.Media.Phone;
using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        private bool _callerHeld;
        private bool _calleeHeld;

        /// <summary>The answered call: react to the mailbox until someone ends it.</summary>
        private async Task<CallEnd> LiveAsync()
        {
            using var limit = new CancellationTokenSource(_engine._options.MaxCallDuration, _engine._time);
            using var registration = limit.Token.Register(() => Post(new Input(InputKind.PbxShutdown)));
            await foreach (var input in _mailbox.Reader.ReadAllAsync())
            {
                if (OnLiveInput(input) is { } ended)
                {
                    return ended;
                }
            }

            return new CallEnd(CallEndReason.Error, CallSide.Pbx);
        }

        /// <summary>One input of an answered call; the end, when it ends it.</summary>
        private CallEnd? OnLiveInput(Input input) => input.Kind switch
        {
            InputKind.CallerHangup => new CallEnd(CallEndReason.Hangup, CallSide.Caller),
            InputKind.ServiceHangup => new CallEnd(CallEndReason.RemoteHangup, CallSide.Callee),
            InputKind.PbxShutdown => new CallEnd(CallEndReason.Error, CallSide.Pbx),
            InputKind.WebLeg when input.FromCallee => OnCalleeWebEvent(input.LegEvent),
            InputKind.WebLeg => OnCallerWebEvent(input.LegEvent),
            InputKind.PhoneLeg => OnPhoneEvent(input.PhoneEvent, input.FromCallee),
            InputKind.Sip when input.Sip!.Branch is null => OnCallerSip(input.Sip),
            InputKind.Sip => OnBranchSip(input.Sip),
            _ => null,
        };

        private CallEnd? OnCallerWebEvent(WebRtcLegEvent e)
        {
            switch (e.Kind)
            {
                case WebRtcLegEventKind.Dtmf:
                    var ms = (int)e.Digit.GetDuration(_callerMedia?.Audio.TelephoneEvent?.Codec.ClockRate ?? 8000).TotalMilliseconds;
                    OnCallerDigit(e.Digit.Symbol, ms);
                    return null;
                case WebRtcLegEventKind.PromptFinished:
                    _ivrSession?.PromptFinished(IvrNow);
                    return null;
                case WebRtcLegEventKind.FirstSrtpSent:
                    _engine._setupStats.Record(_engine._time.GetElapsedTime(_startedTimestamp));
                    return null;
                case WebRtcLegEventKind.ClosedByPeer:
                    return new CallEnd(CallEndReason.Hangup, CallSide.Caller);
                case WebRtcLegEventKind.ConsentLost:
                    // The browser vanished without a hang-up (closed, crashed, network gone): RFC 7675.
                    LogMedia(_engine._log, CallId, "consent lost", e.Detail);
                    return new CallEnd(CallEndReason.Hangup, CallSide.Caller);
                case WebRtcLegEventKind.TransportFailed:
                    LogMedia(_engine._log, CallId, "failed", e.Detail);
                    return new CallEnd(CallEndReason.Error, CallSide.Pbx);
                default:
                    LogLegEvent(_engine._log, CallId, e.Kind);
                    return null;
            }
        }

        /// <summary>A browser softphone that answered: its media closing is its hang-up.</summary>
        private CallEnd? OnCalleeWebEvent(WebRtcLegEvent e) => e.Kind switch
        {
            WebRtcLegEventKind.ClosedByPeer or WebRtcLegEventKind.ConsentLost when _winner?.OwnMedia is not null => new CallEnd(CallEndReason.RemoteHangup, CallSide.Callee),
            WebRtcLegEventKind.TransportFailed when _winner?.OwnMedia is not null => new CallEnd(CallEndReason.Error, CallSide.Pbx),
            _ => null,
        };

        private CallEnd? OnPhoneEvent(RtpLegEvent e, bool fromCallee)
        {
            if (e.Kind == RtpLegEventKind.PromptFinished && !fromCallee)
            {
                _ivrSession?.PromptFinished(IvrNow);
            }

            if (e.Kind == RtpLegEventKind.Dtmf && !fromCallee)
            {
                OnCallerDigit(e.Digit.Symbol, (int)e.Digit.GetDuration(_callerMedia?.Audio.TelephoneEvent?.Codec.ClockRate ?? 8000).TotalMilliseconds);
            }

            if (e.Kind == RtpLegEventKind.MediaTimeout && (fromCallee ? _calleeHeld : _callerHeld))
            {
                // A phone that put the call on hold may send nothing at all (RFC 3264 section 8.4): silence is no sign it left.
                LogMedia(_engine._log, CallId, "silent on hold", e.Detail);
            }
            else if (e.Kind == RtpLegEventKind.MediaTimeout)
            {
                // The phone vanished without BYE (power, network, crash): its RTP stopped after it had flowed.
                LogMedia(_engine._log, CallId, "timeout", e.Detail);
                return new CallEnd(CallEndReason.MediaTimeout, fromCallee ? CallSide.Callee : CallSide.Caller);
            }

            return null;
        }

        /// <summary>
        /// A digit from the caller: recorded, and passed on. RFC 4733 packets already crossed the relay where the
        /// callee took telephone-event; otherwise the digit goes as SIP INFO (spec 2.7).
        /// </summary>
        private void OnCallerDigit(char symbol, int ms)
        {
            RecordDigit(symbol, ms);
            _ivrSession?.Digit(symbol, IvrNow);
            if (_winner is not null && _calleeMedia is { HasTelephoneEvent: false })
            {
                _winner.SendInfo(symbol, ms);
            }
        }

        private CallEnd? OnCallerSip(CallSipInput sip) =>
            sip.Cancelled ? null : OnLegRequest(_sipCaller!, sip, fromCaller: true);

        private CallEnd? OnBranchSip(CallSipInput sip) =>
            ReferenceEquals(sip.Branch, _winner) ? OnLegRequest(sip.Branch!, sip, fromCaller: false) : null;

        /// <summary>
        /// An in-dialog request from either side of the answered call: BYE ends it, a re-INVITE is answered for that
        /// side's media, an INFO digit is recorded (from the caller) and played to the other side.
        /// </summary>
        private CallEnd? OnLegRequest(ISipLeg leg, CallSipInput sip, bool fromCaller)
        {
            if (sip.Message is not SipRequest request || sip.Transaction is not { } tx)
            {
                return null;
            }

            if (!leg.Accepts(request))
            {
                leg.Respond(tx, 500);
                return null;
            }

            var (own, other) = fromCaller ? (_callerMedia, _calleeMedia) : (_calleeMedia, _callerMedia);
            switch (request.Method.Name)
            {
                case "BYE":
                    leg.Respond(tx, 200);
                    leg.Terminate();
                    return fromCaller ? new CallEnd(CallEndReason.Hangup, CallSide.Caller) : new CallEnd(CallEndReason.RemoteHangup, CallSide.Callee);
                case "INVITE":
                    var answer = Reinvite(request, own, fromCaller);
                    leg.Respond(tx, answer is null ? 488 : 200, answer);
                    return null;
                case "INFO":
                    leg.Respond(tx, 200);
                    if (ReadInfoDigit(request) is { } digit)
                    {
                        if (fromCaller)
                        {
                            OnCallerDigit(digit.Symbol, digit.Ms);
                        }

                        other?.TrySendDigit(digit.Symbol, TimeSpan.FromMilliseconds(digit.Ms));
                    }

                    return null;
                default:
                    leg.Respond(tx, 200);
                    return null;
            }
        }

        /// <summary>
        /// A phone's re-INVITE (hold, resume, a new address): answer with the same codec and port, in the direction
        /// that mirrors the offer (RFC 3264 sections 8.4 and 6.1), and follow a new address. Media keeps flowing
        /// through the relay, so resume needs nothing else. A browser softphone's re-INVITE gets 488 and the session
        /// stays as it was (RFC 3261 section 14.2).
        /// </summary>
        private string? Reinvite(SipRequest request, MediaEnd? media, bool fromCaller)
        {
            if (media is not PhoneEnd phone || request.Body.IsEmpty || !SdpParser.TryParse(Encoding.UTF8.GetString(request.Body.Span), out var offer, out _))
            {
                return null;
            }

            if (!SipSdp.TryCreateAnswer(offer, new SipAnswerOptions
                {
                    Address = phone.Leg.AdvertisedAddress,
                    Port = phone.Leg.LocalPort,
                    SessionId = _sdpSessionId,
                    SessionVersion = ++_sdpVersion,
                    Codecs = [phone.Audio.Codec.Codec],
                }, out var answer, out _) || !SipMediaSdp.TryReadOffer(offer, answer, out var remote))
            {
                return null;
            }

            // A hold with c=0.0.0.0 stops our sending until the resume names the address again (RFC 3264 section 8.4).
            phone.Update(remote.Rtp, answer.Audio);

            LogHold(_engine._log, CallId, remote.Hold);
            if (fromCaller)
            {
                _callerHeld = remote.Hold != SdpHoldState.NotHeld;
            }
            else
            {
                _calleeHeld = remote.Hold != SdpHoldState.NotHeld;
            }

            return answer.ToText();
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
}
