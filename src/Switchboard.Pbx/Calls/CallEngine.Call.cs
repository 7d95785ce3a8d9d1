using System.Text;
using System.Threading.Channels;
using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Routing;
using Switchboard.Pbx.Services;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    /// <summary>
    /// One call and its single owner: a loop that reads the call's mailbox. Every change to the call
    /// happens on that loop (the media leg and timers only post to the mailbox), so nothing here needs a lock.
    /// </summary>
    private sealed class Call : ICallControl
    {
        private readonly CallRequest _request;
        private readonly ICallObserver _observer;
        private readonly CallEngine _engine;
        private readonly Channel<Input> _mailbox = Channel.CreateBounded<Input>(
            new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });

        private readonly DateTimeOffset _startedAt;
        private readonly long _startedTimestamp;
        private readonly StringBuilder _digits = new();
        private readonly StringBuilder _digitLog = new();
        private Task _loop = Task.CompletedTask;
        private Route _route = new Route.NotFound();
        private DateTimeOffset? _answeredAt;

        public Call(string callId, CallRequest request, ICallObserver observer, CallEngine engine)
        {
            CallId = callId;
            _request = request;
            _observer = observer;
            _engine = engine;
            _startedAt = engine._time.GetUtcNow();
            _startedTimestamp = engine._time.GetTimestamp();
        }

        private enum InputKind
        {
            CallerHangup,
            PbxShutdown,
            ServiceHangup,
            Leg,
        }

        public string CallId { get; }

        public Task Completion => _loop;

        public void Run() => _loop = Task.Run(RunAsync);

        public void Hangup() => _mailbox.Writer.TryWrite(new Input(InputKind.CallerHangup));

        public void EndByPbx() => _mailbox.Writer.TryWrite(new Input(InputKind.PbxShutdown));

        private async Task RunAsync()
        {
            var end = (Reason: CallEndReason.Error, By: "pbx");
            WebRtcLeg? leg = null;
            try
            {
                LogStart(_engine._log, CallId, _request.Caller.Account, _request.Destination, _request.Origin);
                await _observer.OnTryingAsync(CallId);
                _route = await _engine._dialPlan.ResolveAsync(_request.Caller, _request.Destination, _request.OnlyDestination);
                switch (_route)
                {
                    case Route.ToService service:
                        (leg, end) = await RunServiceAsync(service.Service);
                        break;
                    case Route.NotPermitted:
                        end = (CallEndReason.NotPermitted, "pbx");
                        break;
                    case Route.ToExtension:
                        // The extension exists but nothing can ring it yet: phones register with the SIP stage.
                        end = (CallEndReason.Unavailable, "pbx");
                        break;
                    default:
                        end = (CallEndReason.NotFound, "pbx");
                        break;
                }

                if (_answeredAt is null && _mailbox.Reader.TryRead(out var early) && early.Kind == InputKind.CallerHangup)
                {
                    end = (CallEndReason.Hangup, "caller");
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFailure(_engine._log, ex, CallId);
                end = (CallEndReason.Error, "pbx");
            }

            if (leg is not null)
            {
                await leg.DisposeAsync();
            }

            await FinishAsync(end.Reason, end.By);
        }

        /// <summary>A built-in service answers at once, then the call lives until someone hangs up.</summary>
        private async Task<(WebRtcLeg?, (CallEndReason, string))> RunServiceAsync(BuiltInService service)
        {
            // The echo reflects whatever codec the browser likes best; the DTMF test uses G.711 (spec 2.7 example).
            IReadOnlyList<SdpCodec> codecs = service == BuiltInService.Echo
                ? [SdpCodec.Opus, SdpCodec.Pcmu, SdpCodec.Pcma]
                : [SdpCodec.Pcmu, SdpCodec.Pcma];
            var leg = _engine._media.TryCreateLeg(_request.OfferSdp, codecs, e => _mailbox.Writer.TryWrite(new Input(InputKind.Leg, e)), out var error);
            if (leg is null)
            {
                LogLegRefused(_engine._log, CallId, error);
                return (null, (error == WebRtcLegError.NoPort ? CallEndReason.Error : CallEndReason.BadOffer, "pbx"));
            }

            leg.AudioMode = service == BuiltInService.Echo ? LegAudioMode.Echo : LegAudioMode.Listen;
            leg.Start();
            await _observer.OnAnswerSdpAsync(leg.AnswerSdp);
            _answeredAt = _engine._time.GetUtcNow();
            await _observer.OnConnectedAsync();

            var services = _engine._services;
            using var hangup = new CancellationTokenSource(services.MaxServiceCallDuration, _engine._time);
            if (service == BuiltInService.DtmfTest && services.DtmfTestHangupAfter is { } after)
            {
                hangup.CancelAfter(after);
            }

            using var registration = hangup.Token.Register(() => _mailbox.Writer.TryWrite(new Input(InputKind.ServiceHangup)));
            return (leg, await LiveAsync(leg));
        }

        /// <summary>The answered call: react to the mailbox until it ends.</summary>
        private async Task<(CallEndReason, string)> LiveAsync(WebRtcLeg leg)
        {
            await foreach (var input in _mailbox.Reader.ReadAllAsync())
            {
                switch (input.Kind)
                {
                    case InputKind.CallerHangup:
                        return (CallEndReason.Hangup, "caller");
                    case InputKind.ServiceHangup:
                        return (CallEndReason.RemoteHangup, "callee");
                    case InputKind.PbxShutdown:
                        return (CallEndReason.Error, "pbx");
                    case InputKind.Leg when input.LegEvent.Kind == WebRtcLegEventKind.Dtmf:
                        var digit = input.LegEvent.Digit;
                        var ms = (int)digit.GetDuration(ClockRateOf(leg)).TotalMilliseconds;
                        _digits.Append(digit.Symbol);
                        _digitLog.Append(_digitLog.Length == 0 ? "" : " ").Append(digit.Symbol).Append(':').Append(ms);
                        LogDigit(_engine._log, CallId, digit.Symbol, ms);
                        break;
                    case InputKind.Leg when input.LegEvent.Kind == WebRtcLegEventKind.FirstSrtpSent:
                        _engine._setupStats.Record(_engine._time.GetElapsedTime(_startedTimestamp));
                        break;
                    case InputKind.Leg when input.LegEvent.Kind == WebRtcLegEventKind.ClosedByPeer:
                        return (CallEndReason.Hangup, "caller");
                    case InputKind.Leg when input.LegEvent.Kind == WebRtcLegEventKind.ConsentLost:
                        // The browser vanished without a hang-up (closed, crashed, network gone): RFC 7675.
                        LogMedia(_engine._log, CallId, "consent lost", input.LegEvent.Detail);
                        return (CallEndReason.Hangup, "caller");
                    case InputKind.Leg when input.LegEvent.Kind == WebRtcLegEventKind.TransportFailed:
                        LogMedia(_engine._log, CallId, "failed", input.LegEvent.Detail);
                        return (CallEndReason.Error, "pbx");
                    case InputKind.Leg:
                        LogLegEvent(_engine._log, CallId, input.LegEvent.Kind);
                        break;
                }
            }

            return (CallEndReason.Error, "pbx");
        }

        private static int ClockRateOf(WebRtcLeg leg) => leg.Audio.TelephoneEvent?.Codec.ClockRate ?? 8000;

        private async Task FinishAsync(CallEndReason reason, string endedBy)
        {
            _mailbox.Writer.TryComplete();
            var endedAt = _engine._time.GetUtcNow();
            var record = new CallRecord(CallId, _request.Caller.Domain, _request.Caller.Account, _request.Destination, _request.Origin,
                _route.Name, _startedAt, _answeredAt, endedAt, reason.ToCode(), endedBy,
                _digits.Length > 0 ? _digits.ToString() : null)
            {
                DigitLog = _digitLog.Length > 0 ? _digitLog.ToString() : null,
            };
            try
            {
                await _engine._records.AddAsync(record);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFailure(_engine._log, ex, CallId);
            }

            LogEnd(_engine._log, CallId, record.Reason, endedBy, record.Route);
            try
            {
                await _observer.OnEndedAsync(reason);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFailure(_engine._log, ex, CallId);
            }

            _engine.Forget(this);
        }

        private readonly record struct Input(InputKind Kind, WebRtcLegEvent LegEvent = default);
    }
}
