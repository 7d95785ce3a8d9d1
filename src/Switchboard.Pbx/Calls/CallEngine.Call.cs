using System.Text;
using System.Threading.Channels;
using Switchboard.Media.Phone;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Routing;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    /// <summary>
    /// One call and its single owner: a loop that reads the call's mailbox. Every change to the call happens on
    /// that loop (media legs, SIP legs and timers only post to the mailbox), so nothing here needs a lock.
    /// The caller is a browser (WebRTC leg, the popup's socket as observer) or a phone (<see cref="SipCallerLeg"/>);
    /// the callee is a built-in service or the registered contacts of an extension, rung at once (B2BUA).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The call's own loop disposes its CallMedia in ReleaseAsync before the call ends.")]
    private sealed partial class Call : ICallControl
    {
        private readonly CallRequest _request;
        private readonly ICallObserver _observer;
        private readonly SipCallerLeg? _sipCaller;
        private readonly CallEngine _engine;
        private readonly Channel<Input> _mailbox = Channel.CreateUnbounded<Input>(new UnboundedChannelOptions { SingleReader = true });

        private readonly DateTimeOffset _startedAt;
        private readonly long _startedTimestamp;
        private readonly StringBuilder _digits = new();
        private readonly StringBuilder _digitLog = new();
        private Task _loop = Task.CompletedTask;
        private Route _route = new Route.NotFound();
        private DateTimeOffset? _answeredAt;
        private readonly CallMedia _media;

        public Call(string callId, CallRequest request, ICallObserver? observer, CallEngine engine)
        {
            CallId = callId;
            _request = request;
            _engine = engine;
            if (request.Sip is { } invite)
            {
                _sipCaller = new SipCallerLeg(engine._sip!, invite, engine._options.ContactUser, PostSip);
            }

            _observer = observer ?? _sipCaller ?? throw new ArgumentNullException(nameof(observer));
            _media = new CallMedia(engine._media, engine._options.RtpTimeout,
                (id, e) => Post(new Input(InputKind.WebLeg, MediaId: id, LegEvent: e)),
                (id, e) => Post(new Input(InputKind.PhoneLeg, MediaId: id, PhoneEvent: e)));
            _startedAt = engine._time.GetUtcNow();
            _startedTimestamp = engine._time.GetTimestamp();
        }

        private enum InputKind
        {
            CallerHangup,
            PbxShutdown,
            ServiceHangup,
            RingTimeout,
            TrunkTimeout,
            IvrTick,
            WebLeg,
            PhoneLeg,
            Sip,
        }

        public string CallId { get; }

        public Task Completion => _loop;

        private bool IsSipCaller => _sipCaller is not null;

        public void Run() => _loop = Task.Run(RunAsync);

        public void Hangup() => Post(new Input(InputKind.CallerHangup));

        public void EndByPbx() => Post(new Input(InputKind.PbxShutdown));

        private void Post(Input input) => _mailbox.Writer.TryWrite(input);

        private void PostSip(CallSipInput sip) => Post(new Input(InputKind.Sip, Sip: sip));

        private async Task RunAsync()
        {
            var end = new CallEnd(CallEndReason.Error, CallSide.Pbx);
            try
            {
                LogStart(_engine._log, CallId, _request.Caller.Account, _request.Destination, _request.Origin);
                await _observer.OnTryingAsync(CallId);
                // Calls from a carrier dial like phones: the click-to-call allow-list guards the popup and links only.
                var origin = _request.Sip is not null ? Policy.CallOrigin.Sip : _request.Origin;
                _route = await _engine._dialPlan.ResolveAsync(_request.Caller, _request.Destination, origin, _request.OnlyDestination);
                end = _request.Sip is not null && _request.Destination.StartsWith("group:", StringComparison.Ordinal)
                    ? await RunGroupAsync(_request.Destination["group:".Length..])
                    : _route switch
                {
                    Route.ToService service => await RunServiceAsync(service.Service),
                    Route.ToExtension extension => await RunExtensionAsync(extension.Target),
                    Route.ToTrunk trunk => await RunTrunkAsync(trunk),
                    Route.NotPermitted => new CallEnd(CallEndReason.NotPermitted, CallSide.Pbx),
                    _ => new CallEnd(CallEndReason.NotFound, CallSide.Pbx),
                };

                if (_answeredAt is null && end.By == CallSide.Pbx && _mailbox.Reader.TryPeek(out var early) && early.Kind == InputKind.CallerHangup)
                {
                    end = new CallEnd(CallEndReason.Hangup, CallSide.Caller);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFailure(_engine._log, ex, CallId);
                end = new CallEnd(CallEndReason.Error, CallSide.Pbx);
            }

            _lease?.Dispose();
            _trunkTimer?.Dispose();
            await ReleaseAsync(end);
            await FinishAsync(end);
        }

        /// <summary>Lets every leg go: CANCEL or BYE on SIP legs (unless their side ended the call), media closed.</summary>
        private async Task ReleaseAsync(CallEnd end)
        {
            // A callee whose media timed out never said BYE: it gets one, like a callee the caller hung up on.
            var calleeHungUp = end is { By: CallSide.Callee, Reason: not CallEndReason.MediaTimeout };
            foreach (var branch in _branches)
            {
                if (ReferenceEquals(branch, _winner) && !calleeHungUp)
                {
                    branch.Bye();
                }
                else if (branch.State is BranchState.Calling or BranchState.Proceeding or BranchState.Ringing)
                {
                    // Unbound by the branch itself once its INVITE gets its final answer.
                    branch.Abandon();
                }
                else if (branch.State is not BranchState.Abandoned)
                {
                    // Refused, or answered and then hung up by the phone: nothing more can come for this dialog.
                    branch.Forget();
                }
            }

            await _media.DisposeAsync();
        }

        /// <summary>Before an answer: cancels the branches still ringing, unbinds the ones that refused, closes their media.</summary>
        private async Task ReleaseBranchesAsync()
        {
            foreach (var branch in _branches)
            {
                if (branch.State is BranchState.Calling or BranchState.Proceeding or BranchState.Ringing)
                {
                    branch.Abandon();
                    branch.State = BranchState.Abandoned;
                }
                else if (branch.State is not BranchState.Abandoned)
                {
                    branch.Forget();
                }
            }

            _branches.Clear();
            await _media.ReleaseOffersAsync();
        }

        private void RecordDigit(char symbol, int ms)
        {
            _digits.Append(symbol);
            _digitLog.Append(_digitLog.Length == 0 ? "" : " ").Append(symbol).Append(':').Append(ms);
            LogDigit(_engine._log, CallId, symbol, ms);
        }

        private async Task FinishAsync(CallEnd end)
        {
            var reason = end.Reason;
            _mailbox.Writer.TryComplete();
            var endedAt = _engine._time.GetUtcNow();
            var record = new CallRecord(CallId, _request.Caller.Domain, _request.Caller.Account, _request.Destination, _request.Origin,
                _routeName ?? _route.Name, _startedAt, _answeredAt, endedAt, reason.ToCode(), end.By.ToCode(),
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

            LogEnd(_engine._log, CallId, record.Reason, record.EndedBy, record.Route);
            try
            {
                // The page and a calling phone know no media timeout: to them the other side is gone, as after a BYE.
                await _observer.OnEndedAsync(reason == CallEndReason.MediaTimeout ? CallEndReason.RemoteHangup : reason);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFailure(_engine._log, ex, CallId);
            }

            _engine.Forget(this);
        }

        private readonly record struct Input(
            InputKind Kind,
            int MediaId = 0,
            WebRtcLegEvent LegEvent = default,
            RtpLegEvent PhoneEvent = default,
            CallSipInput? Sip = null);
    }
}
