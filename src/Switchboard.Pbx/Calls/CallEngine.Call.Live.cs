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
        /// <summary>The answered call: react to the mailbox until someone ends it.</summary>
        private async Task<(CallEndReason, string)> LiveAsync()
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

            return (CallEndReason.Error, "pbx");
        }

        /// <summary>One input of an answered call; the end, when it ends it.</summary>
        private (CallEndReason, string)? OnLiveInput(Input input) => input.Kind switch
        {
            InputKind.CallerHangup => (CallEndReason.Hangup, "caller"),
            InputKind.ServiceHangup => (CallEndReason.RemoteHangup, "callee"),
            InputKind.PbxShutdown => (CallEndReason.Error, "pbx"),
            InputKind.WebLeg when input.FromCallee => OnCalleeWebEvent(input.LegEvent),
            InputKind.WebLeg => OnCallerWebEvent(input.LegEvent),
            InputKind.PhoneLeg => OnPhoneEvent(input.PhoneEvent, input.FromCallee),
            InputKind.Sip when input.Sip!.Branch is null => OnCallerSip(input.Sip),
            InputKind.Sip => OnBranchSip(input.Sip),
            _ => null,
        };

        private (CallEndReason, string)? OnCallerWebEvent(WebRtcLegEvent e)
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
                    return (CallEndReason.Hangup, "caller");
                case WebRtcLegEventKind.ConsentLost:
                    // The browser vanished without a hang-up (closed, crashed, network gone): RFC 7675.
                    LogMedia(_engine._log, CallId, "consent lost", e.Detail);
                    return (CallEndReason.Hangup, "caller");
                case WebRtcLegEventKind.TransportFailed:
                    LogMedia(_engine._log, CallId, "failed", e.Detail);
                    return (CallEndReason.Error, "pbx");
                default:
                    LogLegEvent(_engine._log, CallId, e.Kind);
                    return null;
            }
        }

        /// <summary>A browser softphone that answered: its media closing is its hang-up.</summary>
        private (CallEndReason, string)? OnCalleeWebEvent(WebRtcLegEvent e) => e.Kind switch
        {
            WebRtcLegEventKind.ClosedByPeer or WebRtcLegEventKind.ConsentLost when _winner?.OwnMedia is not null => (CallEndReason.RemoteHangup, "callee"),
            WebRtcLegEventKind.TransportFailed when _winner?.OwnMedia is not null => (CallEndReason.Error, "pbx"),
            _ => null,
        };

        private (CallEndReason, string)? OnPhoneEvent(RtpLegEvent e, bool fromCallee)
        {
            if (e.Kind == RtpLegEventKind.PromptFinished && !fromCallee)
            {
                _ivrSession?.PromptFinished(IvrNow);
            }

            if (e.Kind == RtpLegEventKind.Dtmf && !fromCallee)
            {
                OnCallerDigit(e.Digit.Symbol, (int)e.Digit.GetDuration(_callerMedia?.Audio.TelephoneEvent?.Codec.ClockRate ?? 8000).TotalMilliseconds);
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

        private (CallEndReason, string)? OnCallerSip(CallSipInput sip)
        {
            var caller = _sipCaller!;
            if (sip.Cancelled)
            {
                return null;
            }

            if (sip.Message is not SipRequest request || sip.Transaction is not { } tx)
            {
                return null;
            }

            if (!caller.Accepts(request))
            {
                caller.Respond(tx, 500);
                return null;
            }

            switch (request.Method.Name)
            {
                case "BYE":
                    caller.Respond(tx, 200);
                    return (CallEndReason.Hangup, "caller");
                case "INVITE":
                    var answer = Reinvite(request, _callerMedia);
                    caller.Respond(tx, answer is null ? 488 : 200, answer);
                    return null;
                case "INFO":
                    caller.Respond(tx, 200);
                    if (ReadInfoDigit(request) is { } digit)
                    {
                        OnCallerDigit(digit.Symbol, digit.Ms);
                        _calleeMedia?.TrySendDigit(digit.Symbol, TimeSpan.FromMilliseconds(digit.Ms));
                    }

                    return null;
                default:
                    caller.Respond(tx, 200);
                    return null;
            }
        }

        private (CallEndReason, string)? OnBranchSip(CallSipInput sip)
        {
            var branch = sip.Branch!;
            if (!ReferenceEquals(branch, _winner))
            {
                return null;
            }

            if (sip.Message is not SipRequest request || sip.Transaction is not { } tx)
            {
                return null;
            }

            if (!branch.Accepts(request))
            {
                branch.Respond(tx, 500);
                return null;
            }

            switch (request.Method.Name)
            {
                case "BYE":
                    branch.Respond(tx, 200);
                    branch.Dialog?.Terminate();
                    return (CallEndReason.RemoteHangup, "callee");
                case "INVITE":
                    var answer = Reinvite(request, _calleeMedia);
                    branch.Respond(tx, answer is null ? 488 : 200, answer);
                    return null;
                case "INFO":
                    branch.Respond(tx, 200);
                    if (ReadInfoDigit(request) is { } digit)
                    {
                        _callerMedia?.TrySendDigit(digit.Symbol, TimeSpan.FromMilliseconds(digit.Ms));
                    }

                    return null;
                default:
                    branch.Respond(tx, 200);
                    return null;
            }
        }

        /// <summary>
        /// A phone's re-INVITE (hold, resume, a new address): answer with the same codec and port, in the direction
        /// that mirrors the offer (RFC 3264 sections 8.4 and 6.1), and follow a new address. Media keeps flowing
        /// through the relay, so resume needs nothing else. A browser softphone's re-INVITE gets 488 and the session
        /// stays as it was (RFC 3261 section 14.2).
        /// </summary>
        private string? Reinvite(SipRequest request, MediaEnd? media)
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
