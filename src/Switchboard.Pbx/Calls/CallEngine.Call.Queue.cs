using Switchboard.Media.Sdp;
using Switchboard.Media.WebRtc;
using Switchboard.Pbx.Queues;
using Switchboard.Pbx.Routing;

namespace Switchboard.Pbx.Calls;

public sealed partial class CallEngine
{
    private sealed partial class Call : IQueuedCall
    {
        /// <summary>The queue the caller waits in (or last waited in), for the record and the hold music.</summary>
        private QueueDefinition? _queue;

        /// <summary>When the caller first joined a queue (the call's clock), and how long it waited until an agent answered.</summary>
        private TimeSpan? _queuedAt;
        private TimeSpan? _queueWait;

        /// <summary>The agent each branch rang (extension number by branch), and the one who answered.</summary>
        private readonly Dictionary<int, string> _agentOfBranch = [];
        private string? _agent;

        /// <summary>The queue loop's decision, posted to this call's own loop like any other input.</summary>
        public void OnQueueAction(QueueAction action) => Post(new Input(InputKind.Queue, Queue: action));

        /// <summary>
        /// The core's <see cref="CallOutput.JoinQueue"/>: a new call is answered by the PBX for the queue (G.711, so that the
        /// music can play), a transferred one is answered already; then it waits in the queue with its music.
        /// </summary>
        private async Task<CallEnd?> JoinQueueAsync(string name, string domain)
        {
            var queues = _engine._queues;
            if (queues?.Directory.Find(domain, name) is not { } queue)
            {
                return await SetUpFailedAsync(CallEndReason.NotFound);
            }

            if (_core.State == CallState.Routing)
            {
                if (!TryCreateCallerMedia([SdpCodec.Pcmu, SdpCodec.Pcma], out var answerSdp, out var failure))
                {
                    return await SetUpFailedAsync(failure);
                }

                // Like a service: the page is told connected once media flows, ours (the music) included.
                await AnswerHereAsync(answerSdp, LegAudioMode.Listen, connectNeedsOutbound: true);

                _deadlines.Set(CallDeadline.ServiceLimit, Now + _engine._services.MaxServiceCallDuration);
                _routeName = QueueDefinition.DestinationPrefix + name;
            }
            else
            {
                _routeName = $"{_transferFrom}>{QueueDefinition.DestinationPrefix}{name}";
            }

            _queue = queue;
            _queuedAt ??= Now;
            queues.Join(CallId, queue.Domain, name, this);
            return await DriveAsync(new CallInput.Queued(name));
        }

        /// <summary>One decision of the queue loop for this call.</summary>
        private async Task<CallEnd?> OnQueueActionAsync(QueueAction action)
        {
            switch (action)
            {
                case QueueAction.Offer offer:
                    return await RingAgentsAsync(offer);
                case QueueAction.Position position:
                    await _observer.OnQueuePositionAsync(position.Place);
                    return null;
                case QueueAction.Announce announce:
                    return await DriveAsync(new CallInput.QueueAnnounce(announce.Place, announce.ExpectedWait, announce.Language));
                case QueueAction.Fallback fallback:
                    await _observer.OnQueuePositionAsync(0);
                    return await DriveAsync(new CallInput.QueueFallback(fallback.Destination));
                default:
                    return null;
            }
        }

        /// <summary>
        /// The queue offers the caller to agents: every registered phone of each rings (as an extension's do, with the
        /// caller's codec), the music going on. An offer that comes when the caller is no longer waiting is given back.
        /// </summary>
        private async Task<CallEnd?> RingAgentsAsync(QueueAction.Offer offer)
        {
            if (_core.State != CallState.Queued)
            {
                _engine._queues!.Missed(CallId);
                return null;
            }

            var branches = new List<int>();
            foreach (var agent in offer.Agents)
            {
                if (await _engine._dialPlan.ResolveAsync(_request.Caller, agent, Policy.CallOrigin.Sip, null) is Route.ToExtension extension &&
                    _engine._sip is not null && _engine._locations.Lookup(extension.Target.Id) is { Count: > 0 } contacts)
                {
                    foreach (var id in StartBranches(extension.Target, contacts, _media.Caller!.Audio.Codec))
                    {
                        _agentOfBranch[id] = agent;
                        branches.Add(id);
                    }
                }
            }

            return await DriveAsync(new CallInput.Ring(branches, offer.RingTimeout));
        }

        /// <summary>The core's <see cref="CallOutput.PlayHoldMusic"/>: the queue's music, looped; a missing file leaves the caller in silence.</summary>
        private void PlayHoldMusic()
        {
            if (_queue is { } queue && _engine._ivr.TryGetPrompt(queue.HoldMusic, out var music))
            {
                _media.Caller!.Play(music, loop: true);
            }
        }

        /// <summary>The core's <see cref="CallOutput.PlayAnnouncement"/>; false when it cannot be played.</summary>
        private bool PlayAnnouncement(CallOutput.PlayAnnouncement announce) =>
            QueueAnnouncements.Compose(_engine._ivr.Prompts, announce.Language, announce.Place, announce.ExpectedWait) is { } prompt &&
            _media.Caller!.Play(prompt);

        /// <summary>The core's <see cref="CallOutput.QueueAnswered"/>: the queue learns the agent, the record the wait.</summary>
        private void QueueAnswered(int branch)
        {
            _agent = _agentOfBranch.GetValueOrDefault(branch);
            _queueWait = _queuedAt is { } at ? Now - at : null;
            _engine._queues!.Answered(CallId, _agent ?? "");
        }

        /// <summary>A star code: the agent logs in (<c>*45</c>) or out (<c>*46</c>) of its queues, hears it, and is hung up on.</summary>
        private async Task<CallEnd?> LogAgentAsync(bool logIn)
        {
            var caller = _request.Caller;
            var member = _engine._queues is { } queues &&
                await (logIn ? queues.LogInAsync(caller.Domain, caller.Number) : queues.LogOutAsync(caller.Domain, caller.Number));
            var language = _engine._queues?.Directory.All.FirstOrDefault(q => q.Members.Contains(caller.Number)) is { } q ? q.Language : "en";
            return await DriveAsync(new CallInput.AnnounceThenHangUp(member ? QueueAnnouncements.LoginPrompt(language, logIn) : "invalid.wav"));
        }

        /// <summary>The queue's view of the call's end: the caller leaves its queue, or the agent's wrap-up starts.</summary>
        private void LeaveQueue()
        {
            if (_queue is not null)
            {
                _engine._queues?.Leave(CallId);
            }
        }

        /// <summary>The record's queue fields: the caller waited until an agent answered, or until the call ended.</summary>
        private CallRecord WithQueue(CallRecord record) => _queue is null ? record : record with
        {
            Queue = _queue.Name,
            QueueWait = _queueWait ?? (_queuedAt is { } at ? Now - at : null),
            Agent = _agent,
        };
    }
}
