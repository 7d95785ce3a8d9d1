using System.Threading.Channels;
using Switchboard.Pbx.Routing;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    /// <summary>
    /// One call and its single owner: a loop that reads the call's mailbox. Every change to the call
    /// happens on that loop, so nothing here needs a lock.
    /// </summary>
    private sealed class Call : ICallControl
    {
        private readonly CallRequest _request;
        private readonly ICallObserver _observer;
        private readonly CallEngine _engine;
        private readonly Channel<Command> _mailbox = Channel.CreateBounded<Command>(
            new BoundedChannelOptions(64) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });

        private readonly DateTimeOffset _startedAt;
        private Task _loop = Task.CompletedTask;
        private Route _route = new Route.NotFound();

        public Call(string callId, CallRequest request, ICallObserver observer, CallEngine engine)
        {
            CallId = callId;
            _request = request;
            _observer = observer;
            _engine = engine;
            _startedAt = engine._time.GetUtcNow();
        }

        private enum Command
        {
            CallerHangup,
            PbxShutdown,
        }

        public string CallId { get; }

        public Task Completion => _loop;

        public void Run() => _loop = Task.Run(RunAsync);

        public void Hangup() => _mailbox.Writer.TryWrite(Command.CallerHangup);

        public void EndByPbx() => _mailbox.Writer.TryWrite(Command.PbxShutdown);

        private async Task RunAsync()
        {
            var reason = CallEndReason.Error;
            var endedBy = "pbx";
            try
            {
                LogStart(_engine._log, CallId, _request.Caller.Account, _request.Destination, _request.Origin);
                await _observer.OnTryingAsync(CallId);
                _route = await _engine._dialPlan.ResolveAsync(_request.Caller, _request.Destination, _request.OnlyDestination);
                (reason, endedBy) = _route switch
                {
                    Route.NotPermitted => (CallEndReason.NotPermitted, "pbx"),
                    Route.NotFound => (CallEndReason.NotFound, "pbx"),

                    // The extension exists but nothing can ring it yet: phones register with the SIP stage.
                    Route.ToExtension => (CallEndReason.Unavailable, "pbx"),
                    _ => (CallEndReason.Error, "pbx"),
                };

                if (_mailbox.Reader.TryRead(out var early))
                {
                    (reason, endedBy) = Interpret(early);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFailure(_engine._log, ex, CallId);
                reason = CallEndReason.Error;
            }

            await FinishAsync(reason, endedBy);
        }

        private static (CallEndReason, string) Interpret(Command command) => command switch
        {
            Command.CallerHangup => (CallEndReason.Hangup, "caller"),
            _ => (CallEndReason.Error, "pbx"),
        };

        private async Task FinishAsync(CallEndReason reason, string endedBy)
        {
            _mailbox.Writer.TryComplete();
            var endedAt = _engine._time.GetUtcNow();
            var record = new CallRecord(CallId, _request.Caller.Domain, _request.Caller.Account, _request.Destination, _request.Origin,
                _route.Name, _startedAt, AnsweredAt: null, endedAt, reason.ToCode(), endedBy, Digits: null);
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
    }
}
