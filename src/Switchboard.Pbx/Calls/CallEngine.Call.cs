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
        private readonly PhaseMarkingObserver _observer;
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
        private readonly CallCore _core;

        /// <summary>
        /// The core's deadlines. The loop still sets those of the moves it decides itself (a service's limit, the maximum
        /// duration when a service answers); the ringing's are the core's.
        /// </summary>
        private readonly CallDeadlines _deadlines;
        private readonly ITimer _wake;

        /// <summary>The state last logged (and marked live in the store); the core's <see cref="CallCore.State"/> is the real one.</summary>
        private CallState _announced = CallState.Routing;

        public Call(string callId, CallRequest request, ICallObserver? observer, CallEngine engine)
        {
            CallId = callId;
            _request = request;
            _engine = engine;
            // A token's maxDuration caps this call below the PBX's maximum (docs/tokens.md): the core applies it when a branch answers.
            var options = request.MaxDuration is { } cap && cap < engine._options.MaxCallDuration ? engine._options with { MaxCallDuration = cap } : engine._options;
            _core = new CallCore(callId, engine._log, options);
            _deadlines = _core.Deadlines;
            if (request.Sip is { } invite)
            {
                _sipCaller = new SipCallerLeg(engine._sip!, invite, engine._options.ContactUser, PostSip);
            }

            _observer = new PhaseMarkingObserver(observer ?? _sipCaller ?? throw new ArgumentNullException(nameof(observer)), this);
            _media = new CallMedia(engine._media, engine._options.RtpTimeout,
                OnWebLegEvent,
                (id, e) => Post(new Input(InputKind.PhoneLeg, MediaId: id, PhoneEvent: e)));
            _startedAt = engine._time.GetUtcNow();
            _startedTimestamp = engine._time.GetTimestamp();
            _wake = engine._time.CreateTimer(_ => Post(new Input(InputKind.Wake)), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        private enum InputKind
        {
            CallerHangup,
            PbxShutdown,
            AdminHangup,

            /// <summary>The call's one timer fired: something in <see cref="_deadlines"/> (or the IVR's wake-up) may be due.</summary>
            Wake,
            WebLeg,
            PhoneLeg,
            Sip,

            /// <summary>The page's ICE-restart offer; the reply goes to <see cref="Input.Reply"/>.</summary>
            CallerIceRestart,

            /// <summary>The popup's own view of the audio (<see cref="Input.PageQuality"/>).</summary>
            PageQuality,
            /// <summary>A decision of the queue loop for this call (<see cref="Input.Queue"/>).</summary>
            Queue,
        }

        public string CallId { get; }

        public Task Completion => _loop;

        private bool IsSipCaller => _sipCaller is not null;

        /// <summary>The call's clock: time since it started. Deadlines and the IVR session read it.</summary>
        private TimeSpan Now => _engine._time.GetElapsedTime(_startedTimestamp);

        /// <summary>
        /// Starts the call's loop on its media shard (design/ARCHITECTURE.md, "Call shards"): every await in it comes
        /// back to that thread, so the call's state, its legs and their relay have one owner. Store work never runs on
        /// the shard (<see cref="OffShard{T}"/>) and its result comes back to it.
        /// </summary>
        public void Run() => _loop = _media.Shard.InvokeAsync(RunAsync);

        public void Hangup() => Post(new Input(InputKind.CallerHangup));

        public void EndByPbx() => Post(new Input(InputKind.PbxShutdown));

        private void Post(Input input) => _mailbox.Writer.TryWrite(input);

        /// <summary>
        /// Store reads and writes never run on the shard: Microsoft.Data.Sqlite's async methods run synchronously, and a
        /// slow disk must not stall the media of every call on this shard. The directory (a cache that answers hits at once
        /// and reads misses on the pool), the call policy and the record writer keep that promise themselves, so the call
        /// reads them directly and a routine call makes no hop at all; anything else goes through here, to the thread pool.
        /// The await resumes on the shard.
        /// </summary>
        private static Task<T> OffShard<T>(Func<Task<T>> work) => Task.Run(work);

        private void PostSip(CallSipInput sip) => Post(new Input(InputKind.Sip, Sip: sip));

        /// <summary>
        /// The call's one loop: route, then read the mailbox one input at a time, each handled according to the state,
        /// until an input ends the call; then the core's Ending: every leg let go, the record written, the caller told.
        /// </summary>
        private async Task RunAsync()
        {
            CallEnd? end;
            var callerHungUpFirst = false;
            try
            {
                LogStart(_engine._log, CallId, _request.Caller.Account, _request.Destination, _request.Origin);
                await _observer.OnTryingAsync(CallId);
                end = await RouteAsync();
                ReportParties();
                while (end is null)
                {
                    // Change, then drain: after each batch of inputs the one timer points at whatever is due next.
                    ArmWake();
                    if (!await _mailbox.Reader.WaitToReadAsync())
                    {
                        break;
                    }

                    while (end is null && _mailbox.Reader.TryRead(out var input))
                    {
                        end = await HandleAsync(input);
                    }

                    ReportParties();
                }

                end ??= new CallEnd(CallEndReason.Error, CallSide.Pbx);
                callerHungUpFirst = _mailbox.Reader.TryPeek(out var early) && early.Kind == InputKind.CallerHangup;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFailure(_engine._log, ex, CallId);
                end = new CallEnd(CallEndReason.Error, CallSide.Pbx);
            }

            _wake.Dispose();
            _lease?.Dispose();
            foreach (var lease in _transferLeases)
            {
                lease?.Dispose();
            }

            await EndAsync(new CallInput.Ending(end.Value, callerHungUpFirst));
        }

        /// <summary>
        /// The core routes the destination (its look-ups carried out here) and starts it: null when the call now waits in
        /// a state, else how it ended at once.
        /// </summary>
        private Task<CallEnd?> RouteAsync() =>
            DriveAsync(new CallInput.Dial(_request.Destination, FromSip: _request.Sip is not null, Draining: _engine.RefusesNewCalls));

        /// <summary>
        /// The core's <see cref="CallOutput.LookUpRoute"/>. A new call's route is the record's; a transfer's is appended to
        /// the route so far. Calls from a carrier dial like phones: the click-to-call allow-list guards the popup and links only.
        /// </summary>
        private async Task<Route> LookUpRouteAsync(string destination)
        {
            if (_core.State == CallState.Transfer)
            {
                var route = await _engine._dialPlan.ResolveAsync(_request.Caller, destination, Policy.CallOrigin.Sip, null);
                _routeName = $"{_transferFrom}>{route.Name}:{destination}";
                return route;
            }

            var origin = _request.Sip is not null ? Policy.CallOrigin.Sip : _request.Origin;
            _route = await _engine._dialPlan.ResolveAsync(_request.Caller, destination, origin, _request.OnlyDestination);
            return _route;
        }

        /// <summary>Setting up the destination failed before anything rang: the core ends the call (by the PBX) for <paramref name="reason"/>.</summary>
        private Task<CallEnd?> SetUpFailedAsync(CallEndReason reason) => DriveAsync(new CallInput.SetUpFailed(reason));

        /// <summary>One input, read according to the state; the end when it ends the call.</summary>
        private async Task<CallEnd?> HandleAsync(Input input)
        {
            // A hang-up, a shutdown and the deadlines are the core's in every state.
            switch (input.Kind)
            {
                case InputKind.CallerHangup:
                    return await DriveAsync(CallInput.CallerHangup);
                case InputKind.PbxShutdown:
                    return await DriveAsync(CallInput.PbxShutdown);
                case InputKind.AdminHangup:
                    return await DriveAsync(CallInput.AdminHangup);
                case InputKind.Wake:
                    return await DriveAsync(CallInput.Wake);
                case InputKind.CallerIceRestart:
                    input.Reply!.TrySetResult(RestartCallerIce(input.OfferSdp!));
                    return null;
                case InputKind.Queue:
                    return await OnQueueActionAsync(input.Queue!);
                case InputKind.PageQuality:
                    _pageQuality = input.PageQuality;
                    return null;
            }

            if (IsQualitySample(input))
            {
                // RTCP's figures are the call's to show, not the core's to decide on.
                return await SampleQuality();
            }

            return await OnLegInputAsync(input);
        }

        /// <summary>
        /// Points the call's one timer at the core's next deadline, the IVR's wake-up included. Read after each batch,
        /// not from one step, because the states the loop still decides (a service's answer) set deadlines too.
        /// </summary>
        private void ArmWake()
        {
            var next = _core.NextDeadline;
            _wake.Change(next is { } at ? Max(at - Now, TimeSpan.Zero) : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        /// <summary>A move the loop decides (Routing, Transfer, Ending): made by the core, which refuses one <see cref="CallStates.CanMove"/> does not allow.</summary>
        private void MoveTo(CallState next)
        {
            _core.MoveTo(next);
            Announce();
        }

        /// <summary>After each move, the loop's or the core's: the state is logged, and a call that waits in one is marked live.</summary>
        private void Announce()
        {
            var state = _core.State;
            if (state == _announced)
            {
                return;
            }

            _announced = state;
            LogState(_engine._log, CallId, state);
            PublishView();
            if (state is CallState.Ringing or CallState.Live or CallState.Ivr or CallState.Queued)
            {
                MarkLive();
            }
        }

        /// <summary>
        /// The call is up: its durable marker says so, with the route and the answer as they are now, so a crash of the
        /// process still leaves its record (<see cref="CallEndReason.Interrupted"/>). The store queues it; the shard never waits.
        /// </summary>
        private void MarkLive() => _engine._records.MarkLive(RecordEndingNow(new CallEnd(CallEndReason.Interrupted, CallSide.Pbx)));

        /// <summary>The call's record as if it ended now, the way <paramref name="end"/> says.</summary>
        private CallRecord RecordEndingNow(CallEnd end) => WithQueue(
            new(CallId, _request.Caller.Domain, _request.Caller.Account, _request.Destination, _request.Origin,
                _routeName ?? _route.Name, _startedAt, _answeredAt, _engine._time.GetUtcNow(), end.Reason.ToCode(), end.By.ToCode(),
                _digits.Length > 0 ? _digits.ToString() : null)
            {
                DigitLog = _digitLog.Length > 0 ? _digitLog.ToString() : null,
                TokenLabel = _request.TokenLabel,
            });

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

        /// <summary>
        /// The core's Ending step carried out, from whatever state the call was in (an end can come at any time,
        /// <see cref="CallStates.CanMove"/>): branches let go, media closed, the record queued, the caller told. The
        /// record store queues the record for its writer (group commit) and never blocks the shard; the caller is told
        /// the end at once, not after the batch's commit, and the call is forgotten once the record is safe.
        /// </summary>
        private async Task EndAsync(CallInput.Ending ending)
        {
            var step = _core.Handle(ending, Now);
            Announce();
            LeaveQueue();
            ReportParties();
            var saved = Task.CompletedTask;
            foreach (var output in step.Outputs)
            {
                switch (output)
                {
                    case CallOutput.ReleaseBranch release:
                        Release(_branches[release.Branch], release.How);
                        break;
                    case CallOutput.CloseMedia:
                        TakeFinalQuality();
                        await CloseMediaAsync();
                        break;
                    case CallOutput.WriteRecord write:
                        saved = WriteRecord(write.As);
                        break;
                    case CallOutput.TellCallerEnded told:
                        try
                        {
                            await _observer.OnEndedAsync(told.Reason);
                        }
                        catch (Exception ex) when (ex is not OutOfMemoryException)
                        {
                            LogFailure(_engine._log, ex, CallId);
                        }

                        break;
                }
            }

            try
            {
                await saved;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFailure(_engine._log, ex, CallId);
            }

            _engine.Forget(this);
            MoveTo(CallState.Ended);
        }

        /// <summary>Every media end closed (<see cref="CallMedia"/>), the browsers' traffic logged first.</summary>
        private async Task CloseMediaAsync()
        {
            if (_media.Caller is WebRtcEnd caller)
            {
                LogWebTraffic(_engine._log, CallId, "caller", caller);
            }

            if (_media.Callee is WebRtcEnd callee)
            {
                LogWebTraffic(_engine._log, CallId, "callee", callee);
            }

            await _media.DisposeAsync();
        }

        /// <summary>The call takes no more input; its record (with its set-up phases) is queued and the end counted.</summary>
        private Task WriteRecord(CallEnd end)
        {
            Interlocked.Increment(ref _engine._ended[(int)end.Reason]);
            _mailbox.Writer.TryComplete();
            RefusePendingRestarts();
            var record = RecordEndingNow(end) with
            {
                Phases = FinishPhases(),
                CallerQuality = _callerQuality,
                CalleeQuality = _calleeQuality,
                PageQuality = _pageQuality?.ToJson(),
            };
            var saved = _engine._records.AddAsync(record);
            LogEnd(_engine._log, CallId, record.Reason, record.EndedBy, record.Route);
            return saved;
        }

        private void RecordDigit(char symbol, int ms)
        {
            _digits.Append(symbol);
            _digitLog.Append(_digitLog.Length == 0 ? "" : " ").Append(symbol).Append(':').Append(ms);
            LogDigit(_engine._log, CallId, symbol, ms);
        }

        private readonly record struct Input(
            InputKind Kind,
            int MediaId = 0,
            WebRtcLegEvent LegEvent = default,
            RtpLegEvent PhoneEvent = default,
            CallSipInput? Sip = null,
            string? OfferSdp = null,
            TaskCompletionSource<IceRestartResult>? Reply = null,
            PageQuality? PageQuality = null,
            Queues.QueueAction? Queue = null);
    }
}
