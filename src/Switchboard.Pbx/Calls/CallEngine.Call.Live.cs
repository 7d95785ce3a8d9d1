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
        /// <summary>Which sides put the call on hold with their last re-INVITE (indexed by <see cref="CallSide"/>).</summary>
        private readonly bool[] _held = new bool[2];

        /// <summary>One input of an answered call; the end, when it ends it.</summary>
        private CallEnd? OnLiveInput(Input input) => input.Kind switch
        {
            InputKind.CallerHangup => new CallEnd(CallEndReason.Hangup, CallSide.Caller),
            InputKind.PbxShutdown => new CallEnd(CallEndReason.Error, CallSide.Pbx),
            InputKind.WebLeg => _media.SideOf(input.MediaId) switch
            {
                CallSide.Caller => OnCallerWebEvent(input.LegEvent),
                CallSide.Callee => OnCalleeWebEvent(input.LegEvent),
                _ => null,
            },
            InputKind.PhoneLeg when _media.SideOf(input.MediaId) is { } side => OnPhoneEvent(input.PhoneEvent, side),
            InputKind.Sip when input.Sip!.Branch is null => OnCallerSip(input.Sip),
            InputKind.Sip => OnBranchSip(input.Sip),
            _ => null,
        };

        private CallEnd? OnCallerWebEvent(WebRtcLegEvent e)
        {
            switch (e.Kind)
            {
                case WebRtcLegEventKind.Dtmf:
                    var ms = (int)e.Digit.GetDuration(_media.Caller?.Audio.TelephoneEvent?.Codec.ClockRate ?? 8000).TotalMilliseconds;
                    OnCallerDigit(e.Digit.Symbol, ms);
                    return null;
                case WebRtcLegEventKind.PromptFinished:
                    _ivrSession?.PromptFinished(Now);
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
        private static CallEnd? OnCalleeWebEvent(WebRtcLegEvent e) => e.Kind switch
        {
            WebRtcLegEventKind.ClosedByPeer or WebRtcLegEventKind.ConsentLost => new CallEnd(CallEndReason.RemoteHangup, CallSide.Callee),
            WebRtcLegEventKind.TransportFailed => new CallEnd(CallEndReason.Error, CallSide.Pbx),
            _ => null,
        };

        private CallEnd? OnPhoneEvent(RtpLegEvent e, CallSide side)
        {
            var fromCallee = side == CallSide.Callee;
            if (e.Kind == RtpLegEventKind.PromptFinished && !fromCallee)
            {
                _ivrSession?.PromptFinished(Now);
            }

            if (e.Kind == RtpLegEventKind.Dtmf && !fromCallee)
            {
                OnCallerDigit(e.Digit.Symbol, (int)e.Digit.GetDuration(_media.Caller?.Audio.TelephoneEvent?.Codec.ClockRate ?? 8000).TotalMilliseconds);
            }

            if (e.Kind == RtpLegEventKind.MediaTimeout && _held[(int)side])
            {
                // A phone that put the call on hold may send nothing at all (RFC 3264 section 8.4): silence is no sign it left.
                LogMedia(_engine._log, CallId, "silent on hold", e.Detail);
            }
            else if (e.Kind == RtpLegEventKind.MediaTimeout)
            {
                // The phone vanished without BYE (power, network, crash): its RTP stopped after it had flowed.
                LogMedia(_engine._log, CallId, "timeout", e.Detail);
                return new CallEnd(CallEndReason.MediaTimeout, side);
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
            _ivrSession?.Digit(symbol, Now);
            if (_winner is not null && _media.Callee is { HasTelephoneEvent: false })
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

            var side = fromCaller ? CallSide.Caller : CallSide.Callee;
            var other = fromCaller ? _media.Callee : _media.Caller;
            switch (request.Method.Name)
            {
                case "BYE":
                    leg.Respond(tx, 200);
                    leg.Terminate();
                    return fromCaller ? new CallEnd(CallEndReason.Hangup, CallSide.Caller) : new CallEnd(CallEndReason.RemoteHangup, CallSide.Callee);
                case "INVITE":
                    // A browser softphone's re-INVITE (or an offer we cannot use) gets 488 and the session stays as it was (RFC 3261 section 14.2).
                    var answer = _media.TryAnswerReinvite(side, request.Body, out var hold);
                    if (answer is not null)
                    {
                        LogHold(_engine._log, CallId, hold);
                        _held[(int)side] = hold != SdpHoldState.NotHeld;
                    }

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
