using Switchboard.Pbx.Directory;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call
    {
        /// <summary>The extensions the queues were last told are parties to this call (docs/queues.md, "Busy agents").</summary>
        private Extension? _partyCaller;
        private Extension? _partyCallee;

        /// <summary>
        /// Tells the queues which extensions are parties to the call now, so that an agent in a call is offered no queue
        /// caller: the calling extension (or, after the caller's own transfer, the transferee in its place) and the
        /// extension whose phone answered (none while a transfer rings its target). Read from the core after each input;
        /// only members of some queue are reported, so a call between other extensions costs the queue loop nothing.
        /// </summary>
        private void ReportParties()
        {
            var ending = _core.State is CallState.Ending or CallState.Ended;
            var caller = ending ? null : _core.CallerBranch is { } id ? _branches[id].Extension : _request.Caller.Id != 0 ? _request.Caller : null;
            var callee = ending ? null : Winner?.Extension;
            Report(ref _partyCaller, caller);
            Report(ref _partyCallee, callee);
        }

        private void Report(ref Extension? reported, Extension? now)
        {
            if (SameExtension(reported, now) || _engine._queues is not { } queues)
            {
                return;
            }

            if (reported is { } left)
            {
                queues.LeaveCall(left.Domain, left.Number);
            }

            reported = now is not null && queues.Directory.IsMember(now.Domain, now.Number) ? now : null;
            if (reported is { } entered)
            {
                queues.EnterCall(entered.Domain, entered.Number);
            }
        }

        private static bool SameExtension(Extension? a, Extension? b) =>
            a is null ? b is null : b is not null && a.Number == b.Number && string.Equals(a.Domain, b.Domain, StringComparison.OrdinalIgnoreCase);
    }
}
